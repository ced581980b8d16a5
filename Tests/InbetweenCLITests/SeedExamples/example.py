# The seed page's Python (Requests) example, as printed. The test prepends the key's
# definition and replaces the base URL, the image URLs and CALLBACK_URL.
import requests

# Step 1: Create a job
url = "https://api.shortapi.ai/api/v1/job/create"

payload = {
    "model": "vidu/vidu-q2/start-end-to-video",
    "args": {
        "mode": "pro",
        "prompt": "The camera zooms in, and the character slowly emerges from the water.",
        "image": "https://file.shortapi.ai/assets/examples/vidu/vidu-q2/start-end-to-video-image.png",
        "image_tail": "https://file.shortapi.ai/assets/examples/vidu/vidu-q2/start-end-to-video-image_tail.png"
    },
    "callback_url": "CALLBACK_URL"
}

headers = {
    "Authorization": f"Bearer {SHORTAPI_KEY}",
    "Content-Type": "application/json"
}

response = requests.post(url, headers=headers, json=payload)
data = response.json()
JOB_ID = data.get("job_id")

# Step 2: Poll for results
result_url = f"https://api.shortapi.ai/api/v1/job/query?id={JOB_ID}"
result = requests.get(result_url, headers={"Authorization": f"Bearer {SHORTAPI_KEY}"})
print(result.json())
