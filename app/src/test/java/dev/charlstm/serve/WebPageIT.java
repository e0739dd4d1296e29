package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charlstm.format.ModelMetadata;
import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.model.ModelFile;
import dev.charlstm.testing.RunningService;
import dev.charlstm.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page at {@code /} in a real browser: headless Chromium (Debian's chromium and
 * chromium-driver, which .ci/run installs) types a prime, presses generate and watches the
 * streamed text arrive.
 */
class WebPageIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    // "afirst" comes first alphabetically, "faq" has the lower validation loss: the page must pick "faq".
    @RegisterExtension
    static final RunningService service = RunningService.withPeakyModels()
            .model("faq/model.zip", file -> saveWithLoss(file, 1.25))
            .model("afirst/model.zip", file -> saveWithLoss(file, 2.5));
    static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("this test needs Debian's chromium and chromium-driver "
                    + "(apt-get install -y chromium chromium-driver)");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(service.dir(), "chromium"));
        ChromeDriverService driver = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(driver, options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void typingAPrimeAndPressingGenerateStreamsText() throws Exception {
        browser.get(service.baseUrl() + "/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(d -> !new Select(d.findElement(By.id("model"))).getOptions().isEmpty());
        assertThat(new Select(browser.findElement(By.id("model"))).getFirstSelectedOption().getAttribute("value"))
                .isEqualTo("faq");

        WebElement prime = browser.findElement(By.id("prime"));
        prime.clear();
        prime.sendKeys("Where can I get tested");
        setValue("temperature", "0");
        setValue("length", "300");
        browser.findElement(By.id("generate")).click();

        wait.until(d -> d.findElement(By.id("status")).getText().contains("characters in"));
        String generated = browser.findElement(By.id("generated")).getText();
        String expected = Generator.load(service.model("faq/model.zip")).generate(GenerationOptions.builder()
                .prime("Where can I get tested").length(300).temperature(0).build()).get(0).text();
        // The browser shows text with whitespace collapsed at the edges; compare what it renders.
        assertThat(generated.strip()).isNotEmpty().isEqualTo(expected.strip().replace("\r", ""));
        assertThat(browser.findElement(By.id("status")).getText()).startsWith("300 characters in");
        assertThat(browser.findElement(By.id("generate")).isEnabled()).isTrue();
    }

    @Test
    void aSeedPastTwoToThe53IsSentAndShownExactlyAndAnEmptyLengthMeansTheDefault() throws Exception {
        browser.get(service.baseUrl() + "/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(d -> !new Select(d.findElement(By.id("model"))).getOptions().isEmpty());
        WebElement prime = browser.findElement(By.id("prime"));
        prime.clear();
        prime.sendKeys("Masks");
        String seed = "-6607258925611172708"; // a JavaScript number would be ...173000
        setValue("seed", seed);
        setValue("topp", "0.9");
        setValue("length", "");
        browser.findElement(By.id("generate")).click();

        wait.until(d -> d.findElement(By.id("status")).getText().contains("characters in"));
        assertThat(browser.findElement(By.id("status")).getText()).startsWith("200 characters in")
                .endsWith("(seed " + seed + ")");
        String expected = Generator.load(service.model("faq/model.zip")).generate(GenerationOptions.builder()
                .prime("Masks").length(200).temperature(0.8).topP(0.9).seed(Long.parseLong(seed)).build()).get(0).text();
        // textContent, not the rendered text: a sampled control character renders as a space
        Object shown = ((JavascriptExecutor) browser)
                .executeScript("return document.getElementById('generated').textContent");
        assertThat(shown).isEqualTo(expected);
    }

    private static void saveWithLoss(Path file, double valLoss) throws Exception {
        var config = TinyModels.config().with("layers", 2);
        var net = TinyModels.peakyNetwork();
        var m = TinyModels.metadata(config);
        var t = m.training();
        ModelFile.save(file, net, new ModelMetadata(m.format(), m.formatVersion(),
                m.vocabulary(), m.normalization(), m.hyperparameters(), new ModelMetadata.Training(
                        t.corpusSha256(), t.corpusChars(), t.corpusSource(), t.iterations(), valLoss,
                        valLoss / Math.log(2), t.trainedAt(), t.backend(), t.projectVersion(), null, null)));
    }

    private static void setValue(String id, String value) {
        WebElement input = browser.findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }
}
