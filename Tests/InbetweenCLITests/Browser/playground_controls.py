"""Drives the playground's creative controls in headless Chromium (Debian's chromium +
chromium-driver, Selenium) against a live `inbetween serve`: uploads the sample images, sets
the camera sliders with the keyboard, paints a motion-brush region and clicks a 3-point path
with pointer actions, paints a static mask, types a negative prompt and ticks loop; checks
what the page will send (masks as PNGs of the start image's size with the strokes in white,
the path in start-image pixels); saves a screenshot of the drawing; submits and waits for the
video to play.

usage: playground_controls.py BASE_URL API_KEY START_IMAGE END_IMAGE SCREENSHOT
"""
import base64
import io
import sys

from PIL import Image

from browser import open_playground

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

base, key, start, end, screenshot = sys.argv[1:6]
driver = open_playground(base, key, 1800)


def png(data_uri):
    assert data_uri.startswith("data:image/png;base64,"), data_uri[:40]
    return Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1]))).convert("L")


try:
    driver.find_element(By.ID, "image").send_keys(start)
    driver.find_element(By.ID, "image_tail").send_keys(end)
    driver.find_element(By.ID, "prompt").send_keys("The camera pushes in slowly")
    Select(driver.find_element(By.ID, "mode")).select_by_visible_text("turbo")
    Select(driver.find_element(By.ID, "resolution")).select_by_visible_text("540p")
    Select(driver.find_element(By.ID, "duration")).select_by_visible_text("1 s")
    wait = WebDriverWait(driver, 60)
    wait.until(lambda d: d.find_element(By.ID, "price").text == "$0.03")
    driver.find_element(By.CSS_SELECTOR, "#controls summary").click()
    canvas = driver.find_element(By.ID, "canvas")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    wait.until(lambda d: d.execute_script("return document.getElementById('canvas').width") == 1280)

    # Camera: simple, zoom +5 and pan -2 with the keyboard on the sliders.
    Select(driver.find_element(By.ID, "camera-type")).select_by_value("simple")
    driver.find_element(By.ID, "axis-zoom").send_keys(*([Keys.ARROW_RIGHT] * 5))
    driver.find_element(By.ID, "axis-pan").send_keys(*([Keys.ARROW_LEFT] * 2))

    # The canvas is shown scaled; offsets below are in CSS pixels from its centre.
    width = canvas.size["width"]
    height = canvas.size["height"]
    scale = 1280 / width

    # Motion brush: paint a blob left of centre, then click a 3-point path starting on it.
    actions = ActionChains(driver)
    actions.move_to_element_with_offset(canvas, -width // 4, 0).click_and_hold()
    for _ in range(6):
        actions.move_by_offset(4, 3)
    actions.release().perform()
    driver.find_element(By.CSS_SELECTOR, "input[name=tool][value=path]").click()
    for dx, dy in [(-width // 4, 0), (0, -height // 4), (width // 4, 0)]:
        ActionChains(driver).move_to_element_with_offset(canvas, dx, dy).click().perform()

    # Static mask: a stroke along the top right.
    driver.find_element(By.CSS_SELECTOR, "input[name=tool][value=static]").click()
    actions = ActionChains(driver)
    actions.move_to_element_with_offset(canvas, width // 4, -height // 3).click_and_hold()
    for _ in range(8):
        actions.move_by_offset(5, 0)
    actions.release().perform()

    driver.find_element(By.ID, "negative_prompt").send_keys("camera shake")
    driver.find_element(By.ID, "loop").click()

    summary = driver.find_element(By.ID, "controls-summary").text
    expected = 'Controls: camera simple (pan -2, zoom 5); motion brush: 1 region, 3 points; static mask; negative prompt "camera shake"; loop.'
    assert summary == expected, summary
    args = driver.execute_script("return window.creativeControls()")
    assert args["camera_control"] == {"type": "simple", "config": {"horizontal": 0, "vertical": 0, "pan": -2, "tilt": 0, "roll": 0, "zoom": 5}}, args["camera_control"]
    assert args["negative_prompt"] == "camera shake" and args["loop"] is True
    brush = args["dynamic_masks"][0]
    mask = png(brush["mask"])
    assert mask.size == (1280, 720), mask.size
    points = brush["trajectories"]
    assert len(points) == 3, points
    # The first point was clicked where the stroke began: it lies in the painted region.
    first = points[0]
    assert mask.getpixel((first["x"], first["y"])) == 255, first
    assert abs(first["x"] - (640 - 320)) <= 3 * scale and abs(first["y"] - 360) <= 3 * scale, first
    assert abs(points[1]["y"] - (360 - 180)) <= 3 * scale and abs(points[2]["x"] - (640 + 320)) <= 3 * scale, points
    painted = sum(1 for v in mask.getdata() if v == 255)
    still = png(args["static_mask"])
    assert still.size == (1280, 720) and still.getpixel((640 + 320 + 20, 360 - 240)) == 255
    print(f"brush mask {mask.size}, {painted} white pixels; path {[(p['x'], p['y']) for p in points]}; static mask {still.size}")
    driver.save_screenshot(screenshot)

    driver.find_element(By.ID, "submit").click()
    wait = WebDriverWait(driver, 300)
    wait.until(lambda d: d.find_element(By.ID, "video").is_displayed() or d.find_element(By.ID, "state").text.startswith("Failed"))
    state = driver.find_element(By.ID, "state").text
    assert not state.startswith("Failed"), state
    wait.until(lambda d: d.execute_script("const v = document.getElementById('video'); return v.readyState >= 2 && v.videoWidth > 0"))
    print(f"played: {state}")
finally:
    driver.quit()
