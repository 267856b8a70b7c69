// The upstream suite's fixtures (test/e2e/test-fixtures.js) without the
// coverage report: the same `ignoreJSErrors` option and the same checks
// after every test (no unhandled page error, no element left with
// data-phx-skip).
import { test as testBase, expect } from "@playwright/test";

const test = testBase.extend({
  ignoreJSErrors: [false, { option: true }],

  page: async ({ page, ignoreJSErrors }, use) => {
    const unhandledErrors = [];
    page.on("pageerror", (exception) => unhandledErrors.push(exception));
    await use(page);
    if (!ignoreJSErrors) {
      testBase.expect(unhandledErrors, "Detected an unhandled JavaScript Error!").toEqual([]);
    }
    await expect(page.locator("[data-phx-skip]")).toHaveCount(0);
  },
});

export { test, expect };
