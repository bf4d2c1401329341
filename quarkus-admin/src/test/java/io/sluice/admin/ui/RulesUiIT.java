package io.sluice.admin.ui;

import static io.restassured.RestAssured.given;
import static io.sluice.admin.TestApi.createPipeline;
import static io.sluice.admin.TestApi.createSink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sluice.admin.TestAuth;
import io.sluice.admin.auth.Role;
import io.sluice.embedded.MariaDbServer;
import io.sluice.testkit.Browser;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The data contract pages in a real headless Chromium: an admin opens a table's rules, dry-runs a rule over the live
 * table (the count equals a SQL count), proposes and approves it, watches a failing row appear among the last
 * failures and in the chart, then sets up an audit of the pipeline and runs it.
 */
@QuarkusTest
class RulesUiIT {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String DATABASE = "uir_" + ID;
    private static final String SOURCE = "uir-" + ID;
    private static final String PIPELINE = "uirp-" + ID;
    private static final String TABLE = DATABASE + ".products";

    @TestHTTPResource("/")
    URL root;

    private SignedIn page;
    private WebDriver driver;
    private WebDriverWait wait;

    @Test
    void shouldLetAnAdminDryRunProposeAndApproveARuleThenSeeItFailAndAuditThePipeline() {
        MariaDbServer db = MariaDbServer.shared();
        db.createCaptureUser("ui_rules", "Ui-Rules-Pw-3");
        db.recreateDatabase(DATABASE);
        db.execute("CREATE TABLE " + TABLE + " (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, price DECIMAL(10,2) NOT NULL)",
                "INSERT INTO " + TABLE + " VALUES (1, 'pen', 2.50), (2, 'free sample', 0.00), (3, 'ink', 4.00), (4, 'refund', -1.00)");
        TestAuth.signInAs(Role.ADMIN);
        given().contentType(ContentType.JSON).body(db.sourceRequest(SOURCE, "ui_rules", "Ui-Rules-Pw-3", DATABASE, 7500 + (int) (Math.random()
                * 90))).post("/api/v1/sources").then().statusCode(201);
        createSink("uir-index-" + ID, "lucene", Map.of());
        createPipeline(PIPELINE, SOURCE, List.of("uir-index-" + ID));
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/api/v1/rules/{s}/{t}", SOURCE, TABLE).statusCode() == 200);
        String notPositive = db.rows(DATABASE, "SELECT COUNT(*), 'n' FROM products WHERE price <= 0").keySet().iterator().next();

        try (Browser browser = Browser.start()) {
            page = SignedIn.asAdmin(browser, root, WAIT);
            driver = page.driver;
            wait = page.wait;
            try {
                driver.findElement(By.cssSelector("header nav")).findElement(By.linkText("Rules")).click();
                wait.until(d -> !new Select(d.findElement(By.id("rules-source"))).getOptions().isEmpty());
                new Select(driver.findElement(By.id("rules-source"))).selectByVisibleText(SOURCE);
                driver.findElement(By.cssSelector("#open-rules [name=table]")).sendKeys(TABLE);
                driver.findElement(By.cssSelector("#open-rules button[type=submit]")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("rules-in-force"), "No rules"));

                // A rule that does not check against the table is named; the fixed one is dry-run over the live rows.
                setRules("message.prise > 0.0");
                driver.findElement(By.id("dry-run")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("rule-problems"), "prise"));
                setRules("message.price > 0.0");
                driver.findElement(By.id("dry-run")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("dry-run-summary"), "positivePrice fails " + notPositive));
                assertThat(driver.findElement(By.id("dry-run-summary")).getText()).contains("4 rows read", "2 pass every rule");
                page.screenshot("rules-dry-run");

                driver.findElement(By.id("propose")).click();
                wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#table-proposals button[data-decide=approve]"))).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("rules-in-force"), "message.price > 0.0"));

                db.execute("INSERT INTO " + TABLE + " VALUES (5, 'broken', -3.00)", "INSERT INTO " + TABLE + " VALUES (6, 'fine', 3.00)");
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("rule-failures"), "positivePrice"));
                assertThat(driver.findElement(By.id("rule-failures")).getText()).contains("dlq", "price=-3.0", "\"id\": 5");
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#rules-in-force td.failed"), "1"));
                wait.until(d -> !d.findElements(By.cssSelector("#rule-charts svg rect.failed[height]")).stream()
                        .filter(r -> Double.parseDouble(r.getAttribute("height")) > 0).toList().isEmpty());
                ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");
                page.screenshot("rules");

                driver.findElement(By.cssSelector("header nav")).findElement(By.linkText("Audits")).click();
                wait.until(d -> !new Select(d.findElement(By.id("audit-pipeline"))).getOptions().isEmpty());
                new Select(driver.findElement(By.id("audit-pipeline"))).selectByVisibleText(PIPELINE);
                driver.findElement(By.cssSelector("#new-audit [name=intervalMinutes]")).sendKeys("60");
                driver.findElement(By.cssSelector("#new-audit button[type=submit]")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit-problems"), "sampleRows is missing"));
                driver.findElement(By.cssSelector("#new-audit [name=sampleRows]")).sendKeys("1000");
                driver.findElement(By.cssSelector("#new-audit button[type=submit]")).click();
                wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#audits button[data-run='" + PIPELINE + "']"))).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#audits tr[data-audit='" + PIPELINE + "'] td.results"),
                        "checked"));
                assertThat(driver.findElement(By.cssSelector("#audits tr[data-audit='" + PIPELINE + "'] td.results")).getText())
                        .contains(TABLE, "0 missing, 0 stale");
                page.screenshot("audits");
            } catch (RuntimeException | AssertionError e) {
                page.screenshot("rules-failure");
                throw e;
            } finally {
                given().delete("/api/v1/audits/{p}", PIPELINE);
                db.execute("DROP DATABASE IF EXISTS " + DATABASE);
            }
        }
    }

    /** Replaces the editor's text with one condition rule, as a paste would. */
    private void setRules(String expr) {
        String json = "{\"ruleSet\": {\"domainRules\": [{\"name\": \"positivePrice\", \"kind\": \"CONDITION\", \"type\": \"CEL\", \"mode\": \"WRITE\","
                + " \"expr\": \"" + expr + "\", \"onFailure\": \"DLQ\"}]}}";
        page.paste("rule-set", json);
    }

}
