package io.sluice.admin.ui;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sluice.admin.TestAuth;
import io.sluice.admin.auth.Role;
import io.sluice.embedded.MariaDbServer;
import io.sluice.testkit.Browser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real headless Chromium, the way an admin uses it: sign in, register a MariaDB source and read
 * its preflight findings, add a Lucene sink and a pipeline, watch the source stream and its rows become
 * searchable, then decide a schema review that paused capture and see capture resume.
 *
 * <p>Everything is done through the pages except what the UI does not offer: the rows and the ALTER TABLE go to
 * the test MariaDB directly, and the review policy is set through the API as the CLI would. Pages refresh
 * themselves every two seconds, so every check is an explicit wait. A screenshot of each page lands in
 * {@code target/screenshots/<page>.png} (and {@code failure.png} when the test fails), for a person to look at.
 */
@QuarkusTest
class WebUiIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Starting capture includes connecting to MariaDB and a snapshot. */
    private static final Duration CAPTURE_WAIT = Duration.ofSeconds(60);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final String CAPTURE_USER = "ui_capture";
    private static final String CAPTURE_PASSWORD = "Ui-Capture-Pw-7";

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String DATABASE = "ui_" + RUN;
    private static final String SOURCE = "ui-" + RUN;
    private static final String SINK = "search-" + RUN;
    private static final String PIPELINE = "ui-" + RUN + "-to-search";
    /** What the search page asks for: {@code source.database.table}. */
    private static final String TABLE = SOURCE + "." + DATABASE + ".products";
    /** The registry subject of the table's rows (Confluent's TopicNameStrategy). */
    private static final String SUBJECT = TABLE + "-value";

    private static MariaDbServer db;

    @TestHTTPResource("/")
    URL root;

    private Browser browser;
    private WebDriver driver;
    private WebDriverWait wait;

    @BeforeAll
    static void database() {
        db = MariaDbServer.shared();
        db.createCaptureUser(CAPTURE_USER, CAPTURE_PASSWORD);
        db.recreateDatabase(DATABASE);
        db.execute("CREATE TABLE " + DATABASE + ".products (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL)",
                "INSERT INTO " + DATABASE + ".products VALUES (1, 'desk lamp')");
    }

    @Test
    void shouldTakeAnAdminFromSignInToAStreamingSourceAndThroughASchemaReview() {
        try (Browser started = Browser.start()) {
            browser = started;
            driver = browser.driver();
            wait = new WebDriverWait(driver, WAIT);
            wait.ignoring(StaleElementReferenceException.class);
            try {
                signIn();
                registerSource();
                addSink();
                addPipeline();
                watchItStream();
                searchTheRows(3, "reading lamp");
                decideTheSchemaReview();
                searchTheRows(4, "floor lamp");
                visitTheOtherPages();
                recoverFromALostSchemaHistory();
            } catch (RuntimeException | AssertionError e) {
                screenshot("failure");
                throw e;
            } finally {
                db.execute("DROP DATABASE IF EXISTS " + DATABASE);
            }
        }
    }

    private void signIn() {
        browser.open(url("/"));
        wait.until(ExpectedConditions.urlToBe(url("/login")));
        driver.findElement(By.id("username")).sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys("Test-Admin-Password-1");
        screenshot("login");
        driver.findElement(By.id("sign-in")).click();

        wait.until(ExpectedConditions.urlToBe(url("/")));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "admin · admin"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("kpis"), "Sources streaming"));
    }

    private void registerSource() {
        nav("Sources");
        WebElement form = driver.findElement(By.id("new-source"));
        type(form, "name", SOURCE);
        new Select(form.findElement(By.name("type"))).selectByVisibleText("mariadb");
        type(form, "host", db.host());
        type(form, "port", Integer.toString(db.port()));
        type(form, "user", CAPTURE_USER);
        type(form, "password", CAPTURE_PASSWORD);
        type(form, "server.id", "7301");
        type(form, "databases", DATABASE);
        form.findElement(By.id("register")).click();

        // The preflight check of the new source: one row per check, each with its result and, if needed, the fix.
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("preflight"), "Preflight of " + SOURCE));
        String findings = driver.findElement(By.id("findings")).getText();
        assertThat(findings).contains("connection", "log_bin", "binlog_format", "grant.REPLICATION SLAVE").doesNotContain("error");
        assertThat(driver.findElements(By.cssSelector("#findings tr"))).hasSizeGreaterThan(5);
        for (WebElement warning : driver.findElements(By.xpath("//table[@id='findings']//tr[.//span[text()='warning']]"))) {
            assertThat(warning.findElement(By.className("fix")).getText()).isNotBlank();
        }
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("sources"), SOURCE));
        screenshot("sources");
    }

    private void addSink() {
        nav("Sinks");
        WebElement form = driver.findElement(By.id("new-sink"));
        type(form, "name", SINK);
        new Select(form.findElement(By.name("type"))).selectByVisibleText("lucene");
        type(form, "config", "target={source}.{table}");
        form.findElement(By.cssSelector("button[type=submit]")).click();

        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("result"), "Connection test: ok connected"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("sinks"), "target={source}.{table}"));
        screenshot("sinks");
    }

    private void addPipeline() {
        nav("Pipelines");
        WebElement form = driver.findElement(By.id("new-pipeline"));
        type(form, "name", PIPELINE);
        // Source and sinks are chosen, not typed.
        new Select(form.findElement(By.name("source"))).selectByVisibleText(SOURCE);
        type(form, "tables", DATABASE + ".*");
        form.findElement(By.cssSelector("input[name=sinks][value='" + SINK + "']")).click();
        form.findElement(By.cssSelector("button[type=submit]")).click();

        // Adding the pipeline starts its source.
        By state = By.xpath("//table[@id='pipelines']//tr[td[text()='" + PIPELINE + "']]/td[5]");
        wait.until(d -> d.findElement(state).getText().matches("(?s)(starting|snapshotting|streaming).*"));
        assertThat(driver.findElement(By.id("result")).getText()).isEmpty();
        // Its picture: the source in green once it streams, the table it captured, the sink.
        By picture = By.cssSelector("figure.pipeline-picture[data-pipeline='" + PIPELINE + "']");
        new WebDriverWait(driver, CAPTURE_WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement f = d.findElement(picture);
            return f.findElements(By.cssSelector(".node.ok")).stream().anyMatch(n -> n.getText().equals("source " + SOURCE))
                    && f.getText().contains(DATABASE + ".products") && f.getText().contains("sink " + SINK);
        });
        screenshot("pipelines");
    }

    private void watchItStream() {
        nav("Overview");
        By state = By.cssSelector("#sources tr[data-source='" + SOURCE + "'] td.state");
        new WebDriverWait(driver, CAPTURE_WAIT).ignoring(StaleElementReferenceException.class)
                .until(ExpectedConditions.textToBePresentInElementLocated(state, "streaming"));

        db.execute("INSERT INTO " + DATABASE + ".products VALUES (2, 'reading lamp')",
                "INSERT INTO " + DATABASE + ".products VALUES (3, 'desk')");
        // The snapshot's row and the two inserts.
        By events = By.cssSelector("#sources tr[data-source='" + SOURCE + "'] td.events");
        wait.until(d -> d.findElement(events).getText().matches("[0-9,]+")
                && Long.parseLong(d.findElement(events).getText().replace(",", "")) >= 3);
        screenshot("overview");
    }

    /** The search page finds every row of the table, then the words given. */
    private void searchTheRows(int rows, String words) {
        nav("Search");
        WebElement form = driver.findElement(By.id("search-form"));
        new Select(form.findElement(By.id("search-sink"))).selectByVisibleText(SINK);
        type(form, "table", TABLE);
        type(form, "field", "");
        type(form, "q", "");
        form.findElement(By.id("search-button")).click();
        // The page follows changes live: the count grows once capture delivered the rows.
        wait.until(ExpectedConditions.textToBe(By.id("total"), Integer.toString(rows)));

        type(form, "field", "name");
        type(form, "q", words);
        form.findElement(By.id("search-button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("results"), words));
        screenshot("search");
    }

    private void decideTheSchemaReview() {
        // Every new schema of the table now waits for a person: the admin sets the subject's policy in the UI.
        nav("Schema reviews");
        WebElement policy = driver.findElement(By.id("policy"));
        type(policy, "subject", SUBJECT);
        new Select(policy.findElement(By.name("policy"))).selectByValue("review-all");
        policy.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("toast"), "review-all"));
        given().header("Authorization", TestAuth.bearer(Role.ADMIN)).get("/api/v1/schemas/policies/{subject}", SUBJECT).then()
                .statusCode(200).body("policy", Matchers.equalTo("review-all"));
        db.execute("ALTER TABLE " + DATABASE + ".products ADD COLUMN colour VARCHAR(20) NULL",
                "INSERT INTO " + DATABASE + ".products VALUES (4, 'floor lamp', 'brass')");

        // The source page says capture is paused, and why.
        openTheSourcePage();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("reason"), "awaits review as proposal"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("kpis"), "paused"));
        screenshot("source");

        nav("Schema reviews");
        By proposalLink = By.xpath("//table[@id='pending']//tr[td[text()='" + SUBJECT + "']]//a");
        wait.until(ExpectedConditions.presenceOfElementLocated(proposalLink));
        screenshot("schemas");
        click(proposalLink);

        // What changes, and what each compatibility mode says of it.
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("diff"), "colour"));
        assertThat(driver.findElement(By.id("diff")).getText()).contains("added");
        assertThat(driver.findElement(By.id("verdicts")).getText()).contains("BACKWARD", "FORWARD", "FULL");
        assertThat(driver.findElement(By.id("impact")).getText()).as("the index the change reaches").contains(SINK, "embedded index");
        assertThat(driver.findElement(By.tagName("h1")).getText()).contains(SUBJECT, "pending");
        screenshot("proposal");
        driver.findElement(By.id("reason")).sendKeys("colour is optional; consumers ignore it");
        driver.findElement(By.id("approve")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "approved"));
        assertThat(driver.findElement(By.id("app")).getText()).contains("Decided by admin", "colour is optional; consumers ignore it");

        // Capture resumes by itself.
        openTheSourcePage();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("kpis"), "streaming"));
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("reason")));
    }

    private void visitTheOtherPages() {
        nav("Dead letters");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("groups"), "Empty."));
        assertThat(new Select(driver.findElement(By.id("sink"))).getOptions()).extracting(WebElement::getText).contains(SINK);
        screenshot("dead-letters");

        nav("Users");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("users"), "admin"));
        screenshot("users");

        // A backfill of the embedded index from the live table, started from its form, runs to its end.
        nav("Backfills");
        WebElement form = driver.findElement(By.id("new-backfill"));
        type(form, "pipeline", PIPELINE);
        type(form, "tables", DATABASE + ".products");
        type(form, "chunkSize", "2");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        By row = By.xpath("//table[@id='backfills']//tr[td[text()='" + PIPELINE + "']]");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(row, "succeeded"));
        assertThat(driver.findElement(row).getText()).contains(DATABASE + ".products", SINK);
        // Then the index is verified against the table from the same page: nothing differs.
        WebElement verify = driver.findElement(By.id("new-verification"));
        type(verify, "pipeline", PIPELINE);
        type(verify, "table", DATABASE + ".products");
        verify.findElement(By.cssSelector("button[type=submit]")).click();
        By checked = By.xpath("//table[@id='verifications']//tr[td[text()='" + DATABASE + ".products']]");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(checked, "succeeded"));
        // The page polls and re-renders the table: read the row's three counts in one go, again if it was replaced.
        String counts = wait.ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement r = d.findElement(checked);
            return r.findElement(By.className("missing")).getText() + "/" + r.findElement(By.className("stale")).getText() + "/"
                    + r.findElement(By.className("extra")).getText();
        });
        assertThat(counts).as("missing/stale/extra").isEqualTo("0/0/0");
        screenshot("backfills");
    }

    /**
     * The source's schema history is lost while it stands stopped and a row is inserted: started again, it fails and
     * the overview offers Recover, which snapshots again and verifies the index; the new row is found.
     */
    private void recoverFromALostSchemaHistory() {
        String bearer = TestAuth.bearer(Role.ADMIN);
        given().header("Authorization", bearer).post("/api/v1/sources/{s}/stop", SOURCE).then().statusCode(200);
        try {
            Files.delete(Path.of("target", "sluice-test-data", "sources", SOURCE, "schema-history.dat"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        db.execute("INSERT INTO " + DATABASE + ".products VALUES (5, 'wall lamp', 'white')");
        given().header("Authorization", bearer).post("/api/v1/sources/{s}/start", SOURCE).then().statusCode(200);

        nav("Overview");
        By recover = By.cssSelector("#sources tr[data-source='" + SOURCE + "'] button[data-verb='recover']");
        new WebDriverWait(driver, CAPTURE_WAIT).ignoring(StaleElementReferenceException.class)
                .until(ExpectedConditions.elementToBeClickable(recover));
        screenshot("recover");
        click(recover);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("toast"), "recovery"));
        By state = By.cssSelector("#sources tr[data-source='" + SOURCE + "'] td.state");
        new WebDriverWait(driver, CAPTURE_WAIT).ignoring(StaleElementReferenceException.class)
                .until(ExpectedConditions.textToBePresentInElementLocated(state, "streaming"));
        new WebDriverWait(driver, CAPTURE_WAIT).until(d -> "succeeded".equals(given().header("Authorization", bearer)
                .get("/api/v1/sources/{s}/recoveries", SOURCE).then().statusCode(200).extract().path("[0].state")));
        // The source's page shows its latest recovery with its counts.
        openTheSourcePage();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("recovery"), "succeeded"));
        assertThat(driver.findElement(By.id("recovery")).getText()).contains("rows checked").contains("by admin")
                .as("the tables its snapshot swept are listed, not verified again").contains("its snapshot completed and the sink removed");
        screenshot("source-recovery");
        searchTheRows(5, "wall lamp");
    }

    private void openTheSourcePage() {
        nav("Sources");
        click(By.linkText(SOURCE));
        wait.until(ExpectedConditions.urlToBe(url("/sources/" + SOURCE)));
    }

    /** Follows a link of the header, and waits for the page's script to have drawn it. */
    private void nav(String link) {
        driver.findElement(By.cssSelector("header nav")).findElement(By.linkText(link)).click();
        wait.until(d -> d.findElement(By.cssSelector("header nav a.active")).getText().equals(link)
                && !d.findElements(By.cssSelector("#app h1")).isEmpty());
    }

    /** Clicks what a live table shows, again if the table was redrawn under the click. */
    private void click(By by) {
        wait.until(d -> {
            d.findElement(by).click();
            return true;
        });
    }

    private static void type(WebElement form, String field, String text) {
        WebElement input = form.findElement(By.name(field));
        input.clear();
        input.sendKeys(text);
    }

    private String url(String path) {
        return root.toString().replaceAll("/$", "") + path;
    }

    private void screenshot(String page) {
        browser.screenshot(SCREENSHOTS.resolve(page + ".png"));
    }
}
