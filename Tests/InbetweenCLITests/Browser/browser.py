"""What the playground drivers share: headless Chromium (Debian's chromium + chromium-driver,
Selenium from PyPI) on the playground at BASE_URL with the API key entered."""
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def open_playground(base, key, height):
    """A driver showing `base`/ in a 1100 × `height` window, `key` entered; the caller quits it."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size=1100,{height}", "--autoplay-policy=no-user-gesture-required"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(base + "/")
        key_field = driver.find_element(By.ID, "key")
        key_field.send_keys(key)
        driver.execute_script("arguments[0].dispatchEvent(new Event('change'))", key_field)
    except BaseException:
        driver.quit()
        raise
    return driver
