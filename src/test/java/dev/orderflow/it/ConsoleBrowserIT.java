package dev.orderflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.testing.Browser;
import dev.orderflow.testing.OrderflowExtension;
import dev.orderflow.testing.StreamJam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (headless Chromium) against Orderflow on a real nats-server: what an operator does
 * with it, from signing in to repairing a dead letter. Leaves a screenshot in {@code target/console.png}.
 */
@DisplayName("The operator's console, in a browser")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String HTML_CUSTOMER = "<img src=x onerror=window.pwned=1><b>bold</b>";

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension();

  private static Browser browser;
  private static ChromeDriver page;

  @BeforeAll
  static void openBrowser() throws Exception {
    browser = Browser.start();
    page = browser.driver();
  }

  @AfterAll
  static void closeBrowser() throws Exception {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  @Order(1)
  @DisplayName("refuses a customer's token, saying why, and asks again")
  void customerRefused() {
    openConsole();
    signIn(env.app().token("alice", false));
    WebElement message = waitFor(d -> visible(By.id("message")));
    waitFor(d -> message.getText().contains("refused") ? message : null);
    assertThat(message.getText()).contains("Only the operator role");
    assertThat(page.findElement(By.id("signin")).isDisplayed()).isTrue();
    assertThat(page.findElement(By.id("console")).isDisplayed()).isFalse();
    assertThat(page.executeScript("return sessionStorage.getItem('orderflow.console.token')")).isNull();
  }

  @Test
  @Order(2)
  @DisplayName("with an operator's token, shows orders placed moving through the steps and completing")
  void liveFlow() throws Exception {
    openConsole();
    signIn(env.app().token("test-operator", true));
    waitFor(d -> text(By.id("status")).equals("live") ? true : null);
    long shippedBefore = waitFor(d -> number(stepCell("shipped", "waiting")));

    for (int i = 0; i < 6; i++) {
      env.app().placeOrder("browser-" + i, Map.of("MUG-LOGO", 1));
    }

    waitFor(d -> number(stepCell("shipped", "waiting")) != null
        && number(stepCell("shipped", "waiting")) >= shippedBefore + 6 ? true : null);
    waitFor(d -> number(stepCell("placed", "passed")) != null && number(stepCell("placed", "passed")) >= 6
        ? true : null);
    assertThat(number(stepCell("confirmed", "passed"))).isGreaterThanOrEqualTo(6);
    assertThat(page.findElements(By.cssSelector("#consumers tbody tr"))).hasSizeGreaterThanOrEqualTo(7);
    assertThat(text(By.id("breakers"))).isEqualTo("CLOSED");
    assertThat(page.findElements(By.cssSelector("#chart canvas"))).isNotEmpty();
    // The token lives in this tab's session storage only, never in the address.
    assertThat(page.getCurrentUrl()).doesNotContain("token").doesNotContain("eyJ");
    assertThat(page.executeScript("return sessionStorage.getItem('orderflow.console.token')")).isNotNull();
    assertThat(page.executeScript("return localStorage.length")).isEqualTo(0L);
  }

  @Test
  @Order(3)
  @DisplayName("shows a dead letter with its reason and its order marked, and sending it back completes the order")
  void repairDeadLetter() throws Exception {
    String orderId;
    try (StreamJam jam = StreamJam.of(env.nats().management(), "SHIPPING")) {
      orderId = env.app().placeOrder("browser-jammed", Map.of("MUG-LOGO", 1));
      assertThat(letterText(orderId, ".reason")).startsWith("gave up after");
      assertThat(letterText(orderId, null)).contains("shipping-orders", "orders.confirmed." + orderId);

      waitFor(d -> {
        letterRow(orderId).findElement(By.cssSelector(".order a")).click();
        return true;
      });
      waitFor(d -> text(By.id("order-status")).equals("CONFIRMED") ? true : null);
      assertThat(text(By.cssSelector("#order-view h3"))).contains("dead letter");
      assertThat(text(By.id("timeline-failed"))).contains("shipping-orders", "gave up after");
      assertThat(text(By.cssSelector("#timeline-events tr[data-type='OrderConfirmed']"))).contains("dead letter #");
      Long waiting = waitFor(d -> number(By.id("dead-letter-count")));
      assertThat(waiting).isGreaterThanOrEqualTo(1);
    }
    // The cause mended, the operator sends the letter back, confirming in the dialog.
    waitFor(d -> {
      letterRow(orderId).findElement(By.cssSelector("button.send-back")).click();
      return true;
    });
    waitFor(d -> visible(By.id("confirm-dialog")));
    page.findElement(By.id("confirm-yes")).click();

    env.app().awaitStatus(orderId, "SHIPPED");
    waitFor(d -> letterRow(orderId) == null ? true : null);
    page.findElement(By.cssSelector("#search-input")).clear();
    page.findElement(By.cssSelector("#search-input")).sendKeys(orderId);
    page.findElement(By.id("search-order")).click();
    waitFor(d -> text(By.id("order-status")).equals("SHIPPED") ? true : null);
    screenshot();
  }

  @Test
  @Order(4)
  @DisplayName("shows a customer id with HTML in it as text, never as markup")
  void htmlAsText() throws Exception {
    // A forged event with markup for a customer id (the API refuses such ids; the stream holds whatever came).
    String orderId = "browser-forged";
    OrderPlaced forged = OrderPlaced.newBuilder().setEventId("forged").setOrderId(orderId)
        .setOccurredAt(Timestamp.newBuilder().setSeconds(System.currentTimeMillis() / 1000))
        .setCustomerId(HTML_CUSTOMER)
        .addLines(OrderLine.newBuilder().setSku("<i>SKU</i>").setQuantity(1)
            .setUnitPrice(Money.newBuilder().setAmountMinor(100).setCurrency("EUR")))
        .setTotal(Money.newBuilder().setAmountMinor(100).setCurrency("EUR")).build();
    env.nats().connection().jetStream().publish("orders.placed." + orderId, forged.toByteArray());
    waitFor(d -> letterRow(orderId));

    search(orderId, "search-order");
    WebElement details = waitFor(d -> visible(By.cssSelector("#timeline-events td.details")));
    assertThat(details.getText()).contains(HTML_CUSTOMER).contains("<i>SKU</i>");
    search(HTML_CUSTOMER, "search-customer");
    waitFor(d -> visible(By.id("message")));
    assertThat(page.findElements(By.cssSelector("#console img, #console b, #console i"))).isEmpty();
    assertThat(page.executeScript("return window.pwned === undefined")).isEqualTo(true);
  }

  @Test
  @Order(5)
  @DisplayName("searches a customer and sees its orders")
  void customerOrders() throws Exception {
    String first = env.app().placeOrder("browser-search", Map.of("MUG-LOGO", 1));
    String second = env.app().placeOrder("browser-search", Map.of("TSHIRT-RED-M", 1));
    env.app().awaitStatus(first, "SHIPPED");
    env.app().awaitStatus(second, "SHIPPED");
    search("browser-search", "search-customer");
    waitFor(d -> page.findElements(By.cssSelector("#customer-orders tr[data-order-id]")).size() == 2 ? true : null);
    List<String> shown = page.findElements(By.cssSelector("#customer-orders tr[data-order-id]")).stream()
        .map(r -> r.getDomAttribute("data-order-id")).toList();
    assertThat(shown).containsExactlyInAnyOrder(first, second);
  }

  /**
   * Opens the console and waits until its script has started. A first load in a fresh headless Chromium has been
   * seen (2 runs in 8) to leave the page without its script having run; it is loaded once more then, and the test
   * log says so.
   */
  private static void openConsole() {
    for (int attempt = 1; ; attempt++) {
      page.get(env.app().api() + "/console");
      try {
        new WebDriverWait(page, Duration.ofSeconds(10), Duration.ofMillis(100))
            .until(d -> "ready".equals(page.executeScript("return document.documentElement.dataset.console")));
        return;
      } catch (org.openqa.selenium.TimeoutException e) {
        if (attempt == 2) {
          throw e;
        }
        System.err.println("ConsoleBrowserIT: the console's script did not start (" + page.executeScript(
            "return document.readyState + ', script: ' + document.documentElement.dataset.console + ', uPlot: '"
                + " + typeof uPlot") + "); loading the page again");
      }
    }
  }

  private static void signIn(String token) {
    WebElement field = waitFor(d -> visible(By.id("token")));
    field.clear();
    field.sendKeys(token);
    page.findElement(By.id("signin-button")).click();
  }

  private static void search(String text, String button) {
    WebElement input = page.findElement(By.id("search-input"));
    input.clear();
    input.sendKeys(text);
    page.findElement(By.id(button)).click();
  }

  /** The dead-letter row about {@code orderId}, or null. */
  private static WebElement letterRow(String orderId) {
    List<WebElement> rows = page.findElements(By.cssSelector("#dead-letters tr[data-order-id='" + orderId + "']"));
    return rows.isEmpty() ? null : rows.get(0);
  }

  /** The text of the dead-letter row about {@code orderId} (its {@code part}, or all of it), once there is one. */
  private static String letterText(String orderId, String part) {
    return waitFor(d -> {
      WebElement row = letterRow(orderId);
      return row == null ? null : part == null ? row.getText() : row.findElement(By.cssSelector(part)).getText();
    });
  }

  private static By stepCell(String step, String column) {
    return By.cssSelector("#steps tr[data-step='" + step + "'] ." + column);
  }

  private static WebElement visible(By by) {
    List<WebElement> found = page.findElements(by);
    return !found.isEmpty() && found.get(0).isDisplayed() ? found.get(0) : null;
  }

  private static String text(By by) {
    List<WebElement> found = page.findElements(by);
    return found.isEmpty() ? "" : found.get(0).getText();
  }

  private static Long number(By by) {
    try {
      return Long.parseLong(text(by).trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static <T> T waitFor(java.util.function.Function<WebDriver, T> condition) {
    // The page redraws its tables as news arrives: an element found a moment ago may be gone; look again.
    return new WebDriverWait(page, WAIT, Duration.ofMillis(100))
        .ignoring(StaleElementReferenceException.class, NullPointerException.class)
        .withMessage(() -> "the page says: status \"" + text(By.id("status")) + "\", message \""
            + text(By.id("message")) + "\" (" + page.executeScript("return document.readyState + ', sign-in hidden: '"
            + " + document.getElementById('signin').hidden + ', console hidden: '"
            + " + document.getElementById('console').hidden + ', script: ' + document.documentElement.dataset.console"
            + " + ', uPlot: ' + typeof uPlot") + ")")
        .until(condition);
  }

  private static void screenshot() throws Exception {
    Path shot = page.getScreenshotAs(OutputType.FILE).toPath();
    Files.createDirectories(Path.of("target"));
    Files.copy(shot, Path.of("target", "console.png"), StandardCopyOption.REPLACE_EXISTING);
  }
}
