package dev.descartes.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.SameSiteAttribute;
import dev.descartes.runner.testing.LeakCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real Chromium: sign-in by URL, a fleet started from a file, live output, a
 * stop button.
 */
@ExtendWith(LeakCheck.class)
class DashboardTest {

  private static final Path CHROMIUM =
      Path.of(System.getenv().getOrDefault("DESCARTES_CHROMIUM", "/usr/bin/chromium"));

  @TempDir Path dir;

  @Test
  void theDashboardShowsAFleetAndItsLiveOutputAndStopsAnAgentWithItsButton() throws Exception {
    assumeTrue(
        Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM + " (apt-get install chromium)");
    String secret = "dashboard-secret-" + UUID.randomUUID();
    Path fleet = dir.resolve("fleet.yaml");
    Files.writeString(
        fleet,
        """
        agents:
          quick:
            command: [%1$s]
            task: Summarize the repository
            env: {STEPS: 2, DELAY: 0.2, COST: 0.0042}
          slow:
            command: [%1$s]
            task: Refactor the parser
            env: {STEPS: 200, DELAY: 0.3, COST: 0.05, API_TOKEN: %2$s}
        """
            .formatted(TestDaemon.FAKE_AGENT, secret));
    try (TestDaemon d = new TestDaemon();
        Playwright pw =
            Playwright.create(
                new Playwright.CreateOptions()
                    .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        Browser browser =
            pw.chromium()
                .launch(
                    new BrowserType.LaunchOptions()
                        .setExecutablePath(CHROMIUM)
                        .setHeadless(true)
                        .setArgs(List.of("--no-sandbox")))) {
      BrowserContext context =
          browser.newContext(new Browser.NewContextOptions().setViewportSize(1400, 900));
      Page page = context.newPage();
      page.navigate(d.server.dashboardUrl().toString());
      assertThat(page.url()).isEqualTo(d.server.url() + "/").doesNotContain("token");
      Cookie cookie =
          context.cookies().stream()
              .filter(c -> c.name.equals(HttpApi.COOKIE))
              .findFirst()
              .orElseThrow();
      assertThat(cookie.httpOnly).isTrue();
      assertThat(cookie.sameSite).isEqualTo(SameSiteAttribute.STRICT);
      page.locator("#conn").getByText("live").waitFor();

      page.setInputFiles("#fleet-file", fleet);
      page.fill("#fleet-dir", dir.toString());
      page.click("#fleet-start");
      page.locator("#message").getByText("2 agents").waitFor();

      Locator slow = page.locator("#agents tbody tr[data-agent=slow]");
      slow.waitFor();
      page.locator("#agents tbody tr[data-agent=quick] td.status-completed").waitFor();
      slow.click();
      page.locator("#output").getByText("Step 3 of 200: Refactor the parser").waitFor();
      page.locator("#output .tool").first().waitFor();
      assertThat(page.locator("#output").innerText()).contains("● session", "→ Bash  ls -1");

      page.screenshot(
          new Page.ScreenshotOptions()
              .setPath(Path.of("target", "dashboard-running.png"))
              .setFullPage(true));
      page.click("button[data-action=stop][data-agent=slow]");
      page.locator("#agents tbody tr[data-agent=slow] td.status-terminated").waitFor();
      page.locator("#output").getByText("■ terminated").first().waitFor();
      page.locator("#history tbody td.status-terminated").first().waitFor();
      page.screenshot(
          new Page.ScreenshotOptions()
              .setPath(Path.of("target", "dashboard.png"))
              .setFullPage(true));

      assertThat(page.content()).doesNotContain(secret);
      Object forged =
          page.evaluate(
              "async () => (await fetch('/api/agents/quick/kill', {method: 'POST'})).status");
      assertThat(forged)
          .isEqualTo(403); // the cookie alone, without the CSRF header, changes nothing
      context.close();
    }
  }
}
