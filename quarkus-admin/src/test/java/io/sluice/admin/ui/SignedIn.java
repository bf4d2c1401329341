package io.sluice.admin.ui;

import io.sluice.testkit.Browser;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** A page test's browser once the test admin signed in through the login page, with the steps the page tests share. */
final class SignedIn {
    final WebDriver driver;
    final WebDriverWait wait;
    private final Browser browser;
    private final String root;

    private SignedIn(Browser browser, URL root, Duration timeout) {
        this.browser = browser;
        this.driver = browser.driver();
        this.root = root.toString().replaceAll("/$", "");
        this.wait = new WebDriverWait(driver, timeout);
        wait.ignoring(StaleElementReferenceException.class);
    }

    /** Signs the test admin in and waits for the overview. */
    static SignedIn asAdmin(Browser browser, URL root, Duration timeout) {
        SignedIn s = new SignedIn(browser, root, timeout);
        browser.open(s.url("/login"));
        s.driver.findElement(By.id("username")).sendKeys("admin");
        s.driver.findElement(By.id("password")).sendKeys("Test-Admin-Password-1");
        s.driver.findElement(By.id("sign-in")).click();
        s.wait.until(ExpectedConditions.urlToBe(s.url("/")));
        return s;
    }

    String url(String path) {
        return root + path;
    }

    /** Replaces a text area's text as a paste would, firing the input event the page listens to. */
    void paste(String id, String text) {
        ((JavascriptExecutor) driver).executeScript("const t = document.getElementById(arguments[0]); t.value = arguments[1];"
                + " t.dispatchEvent(new Event('input'));", id, text);
    }

    void screenshot(String page) {
        browser.screenshot(Path.of("target", "screenshots", page + ".png"));
    }
}
