"""Drives the playground in headless Chromium (Debian's chromium + chromium-driver, Selenium
from PyPI) against a live `inbetween serve`: enters the key, checks that a transparent PNG's
preview shows over white (the colour the stager composites over), uploads the two sample
images, submits, waits for the video to play, and saves a screenshot.

usage: playground.py BASE_URL API_KEY START_IMAGE END_IMAGE SCREENSHOT
"""
import io
import os
import sys
import tempfile
import time

from PIL import Image

from browser import open_playground

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

base, key, start, end, screenshot = sys.argv[1:6]
driver = open_playground(base, key, 1400)
try:
    # A transparent PNG: left half invisible magenta, right half opaque black. Its preview must
    # show white on the left, as the video would.
    transparent = Image.new("RGBA", (200, 100), (255, 0, 255, 0))
    transparent.paste((0, 0, 0, 255), (100, 0, 200, 100))
    path = os.path.join(tempfile.mkdtemp(), "transparent.png")
    transparent.save(path)
    driver.find_element(By.ID, "image").send_keys(path)
    preview = driver.find_element(By.CSS_SELECTOR, "#drop-image img")
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("const i = arguments[0]; return i.complete && i.naturalWidth == 200", preview))
    shot = Image.open(io.BytesIO(preview.screenshot_as_png)).convert("RGB")
    left, right = shot.getpixel((shot.width // 4, shot.height // 2)), shot.getpixel((3 * shot.width // 4, shot.height // 2))
    assert min(left) >= 250 and max(right) <= 5, f"transparent preview shows {left} / {right}, not white / black"
    print(f"preview over white: {left} / {right}")
    driver.find_element(By.ID, "image").send_keys(start)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("const i = arguments[0]; return i.complete && i.naturalWidth > 200", preview))
    driver.find_element(By.ID, "image_tail").send_keys(end)
    driver.find_element(By.ID, "prompt").send_keys("The camera pushes in slowly")
    Select(driver.find_element(By.ID, "mode")).select_by_visible_text("turbo")
    Select(driver.find_element(By.ID, "resolution")).select_by_visible_text("540p")
    Select(driver.find_element(By.ID, "duration")).select_by_visible_text("1 s")
    wait = WebDriverWait(driver, 60)
    # The price comes from /api/v1/models once the key is in.
    wait.until(lambda d: d.find_element(By.ID, "price").text == "$0.03")
    wait.until(lambda d: d.execute_script("return document.querySelector('#drop-image_tail img').src.startsWith('data:')"))
    driver.find_element(By.ID, "submit").click()
    wait = WebDriverWait(driver, 180)
    wait.until(lambda d: d.find_element(By.ID, "video").is_displayed())
    # Loaded, decoded and playing: the browser can show this MP4.
    wait.until(lambda d: d.execute_script("const v = document.getElementById('video'); return v.readyState >= 2 && v.videoWidth > 0"))
    driver.execute_script("document.getElementById('video').play()")
    wait.until(lambda d: d.execute_script("return document.getElementById('video').currentTime > 0"))
    driver.execute_script("const v = document.getElementById('video'); v.pause(); v.currentTime = v.duration / 2")
    time.sleep(0.5)
    state = driver.find_element(By.ID, "state").text
    width = driver.execute_script("return document.getElementById('video').videoWidth")
    driver.save_screenshot(screenshot)
    print(f"played: {state}; videoWidth {width}")
finally:
    driver.quit()
