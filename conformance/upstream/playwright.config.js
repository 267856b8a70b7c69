// Runs the upstream specs against liveview-conformance with Debian's
// Chromium (no browser download). The server is started by Playwright
// unless LV_CONFORMANCE_URL points at one already running.
//
// The specs expect the page at http://localhost:4004: they compare request
// URLs with that literal, and the client turns its debug log (which the
// error specs read from the console) on only for a localhost page. So the
// browser always opens http://localhost:4004, and when the server listens
// on another port Chromium's host resolver maps localhost to it: the page,
// its Host header and its origin still say localhost:4004.
import { devices } from "@playwright/test";

const external = process.env.LV_CONFORMANCE_URL;
const port = process.env.LV_CONFORMANCE_PORT || "4004";
const baseURL = external || "http://localhost:4004/";
const hostRules = external || port === "4004" ? [] : [`--host-resolver-rules=MAP localhost 127.0.0.1:${port}`];

export default {
  reporter: [["list"], ["json", { outputFile: "results.json" }]],
  workers: Number(process.env.LV_CONFORMANCE_WORKERS || 2),
  retries: 0,
  timeout: 30000,
  use: {
    baseURL,
    trace: "off",
    screenshot: "only-on-failure",
    ignoreHTTPSErrors: true,
  },
  webServer: external
    ? undefined
    : {
        command: `LV_HOST=127.0.0.1 LV_PORT=${port} ${process.env.LV_CONFORMANCE_BIN}`,
        url: `http://127.0.0.1:${port}/health`,
        reuseExistingServer: false,
        stdout: "pipe",
        stderr: "pipe",
      },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
          args: [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ...hostRules,
          ],
        },
      },
    },
  ],
  outputDir: "test-results",
};
