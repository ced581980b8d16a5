"""Drives the playground in headless Chromium (Debian's chromium + chromium-driver, Selenium
from PyPI) against a live `inbetween serve`: enters the key, uploads the two sample images,
submits, waits for the video to play, and saves a screenshot.

usage: playground.py BASE_URL API_KEY START_IMAGE END_IMAGE SCREENSHOT
"""
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

base, key, start, end, screenshot = sys.argv[1:6]
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1100,1400", "--autoplay-policy=no-user-gesture-required"]:
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    driver.get(base + "/")
    key_field = driver.find_element(By.ID, "key")
    key_field.send_keys(key)
    driver.execute_script("arguments[0].dispatchEvent(new Event('change'))", key_field)
    driver.find_element(By.ID, "image").send_keys(start)
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
