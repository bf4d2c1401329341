package io.sluice.admin.ui;

import static io.restassured.RestAssured.given;
import static io.sluice.admin.TestApi.createSink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

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
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The view editor in a real headless Chromium: an admin starts from a root table, adds the relation its foreign key
 * suggests, watches the preview follow each edit (and a wrong column named with its path), creates the view, sees its
 * documents built and verified, and finds a new order's document in the embedded index. The source, sink and pipeline
 * are set up through the API, as {@link WebUiIT} shows them through the pages.
 */
@QuarkusTest
class ViewEditorIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String DATABASE = "uiv_" + ID;
    private static final String SOURCE = "uiv-" + ID;
    private static final String SINK = "uiv-index-" + ID;
    private static final String VIEW = "orders_" + ID;

    @TestHTTPResource("/")
    URL root;

    private SignedIn page;
    private WebDriver driver;
    private WebDriverWait wait;

    @Test
    void shouldLetAnAdminDraftAViewAgainstALivePreviewThenCreateAndVerifyIt() {
        MariaDbServer db = MariaDbServer.shared();
        db.createCaptureUser("ui_views", "Ui-Views-Pw-3");
        db.recreateDatabase(DATABASE);
        db.execute("CREATE TABLE " + DATABASE + ".customers (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, city VARCHAR(40))",
                "CREATE TABLE " + DATABASE + ".orders (id INT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL,"
                        + " FOREIGN KEY (customer_id) REFERENCES " + DATABASE + ".customers (id))",
                "INSERT INTO " + DATABASE + ".customers VALUES (1, 'Ada', 'Lyon'), (2, 'Grace', 'Arlington')",
                "INSERT INTO " + DATABASE + ".orders VALUES (1, 1, 12.50), (2, 2, 7.00), (3, 1, 99.90)");
        TestAuth.signInAs(Role.ADMIN);
        given().contentType(ContentType.JSON).body(db.sourceRequest(SOURCE, "ui_views", "Ui-Views-Pw-3", DATABASE, 7400 + (int) (Math.random()
                * 90))).post("/api/v1/sources").then().statusCode(201);
        createSink(SINK, "lucene", Map.of());
        given().contentType(ContentType.JSON).body(Map.of("name", "uiv-" + ID, "source", SOURCE, "sinks", List.of(SINK))).post("/api/v1/pipelines")
                .then().statusCode(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/api/v1/sources/{s}/status", SOURCE).then().extract().path("state"),
                equalTo("streaming"));

        try (Browser browser = Browser.start()) {
            page = SignedIn.asAdmin(browser, root, WAIT);
            driver = page.driver;
            wait = page.wait;
            try {
                driver.findElement(By.cssSelector("header nav")).findElement(By.linkText("Views")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("views"), "None yet"));

                // A root table alone, then the relation its foreign key suggests: the preview follows.
                setDefinition("{\"name\": \"" + VIEW + "\", \"pipeline\": \"uiv-" + ID + "\", \"root\": \"" + DATABASE + ".orders\"}");
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("preview"), "99.9"));
                assertThat(driver.findElement(By.id("preview")).getText()).doesNotContain("Ada");
                driver.findElement(By.id("suggest")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("preview"), "\"name\": \"Ada\""));
                assertThat(driver.findElement(By.id("definition")).getAttribute("value")).contains("\"kind\": \"one\"", DATABASE + ".customers")
                        .doesNotContain("null");

                // A column the table does not have is named with its path; fixing it brings the preview back.
                String good = driver.findElement(By.id("definition")).getAttribute("value");
                setDefinition(good.replace("\"root\": \"" + DATABASE + ".orders\",", "\"root\": \"" + DATABASE + ".orders\", \"columns\": [\"id\", \"totl\"],"));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("view-problems"), "totl"));
                setDefinition(good.replace("\"root\": \"" + DATABASE + ".orders\",", "\"root\": \"" + DATABASE + ".orders\", \"columns\": [\"id\", \"total\"],"));
                wait.until(d -> d.findElement(By.id("view-problems")).getText().isEmpty());
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("preview"), "Grace"));
                page.screenshot("view-editor");

                driver.findElement(By.id("save-view")).click();
                wait.until(ExpectedConditions.urlToBe(page.url("/views/" + VIEW)));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#view-rebuilds td.state"), "succeeded"));
                driver.findElement(By.id("verify-view")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("verification"), "3 documents checked, 0 missing, 0 stale, 0 extra"));

                db.execute("INSERT INTO " + DATABASE + ".orders VALUES (4, 2, 5.25)");
                wait.until(d -> d.findElement(By.id("view-kpis")).getText().matches("(?s).*running.*Changes looked at\\s+1\\s+Documents rebuilt\\s+1\\s.*"));
                await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/sinks/{s}/search?table={t}&size=10", SINK, SOURCE + ".views." + VIEW)
                        .then().statusCode(200).body("total", equalTo(4)).body("hits.find { it._id == '4' }.customers.name", equalTo("Grace")));
                page.screenshot("view");
            } catch (RuntimeException | AssertionError e) {
                page.screenshot("view-failure");
                throw e;
            } finally {
                db.execute("DROP DATABASE IF EXISTS " + DATABASE);
            }
        }
    }

    /** Replaces the editor's text as a paste would, firing the input event the page listens to. */
    private void setDefinition(String json) {
        page.paste("definition", json);
    }

}
