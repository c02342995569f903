// What a reader sees of the exported page in Firefox: Debian's firefox-esr driven by
// puppeteer-core over WebDriver BiDi (no geckodriver, no browser download). Usage:
//   node tests/firefox.mjs PAGE.html SCREENSHOT.png FIREFOX NPM_PREFIX
// (NPM_PREFIX: where npm installed puppeteer-core, the tests' cache directory.)
// It only observes and prints one JSON object; tests/test_html.py asserts on it, with
// the same expectations as the Chromium tests beside it.
import { createRequire } from "node:module";

const [pagePath, screenshot, executablePath, prefix] = process.argv.slice(2);
const puppeteer = createRequire(`${prefix}/`)("puppeteer-core");
const url = new URL(`file://${pagePath}`).href;
const zoomed = "#group=none&zoom=40&at=20343";
const hostile = "script-img-src-x-onerror-alert-1";
const seen = { requests: [], errors: [], dialogs: [] };

const browser = await puppeteer.launch({ browser: "firefox", executablePath, headless: true });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    seen.requests.push(request.url());
    if (request.url().startsWith(url)) request.continue();
    else request.abort();
  });
  page.on("pageerror", (error) => seen.errors.push(String(error)));
  page.on("dialog", (dialog) => {
    seen.dialogs.push(dialog.message());
    dialog.dismiss();
  });
  const open = async (fragment) => {
    await page.goto("about:blank");
    await page.goto(url + fragment);
    await page.waitForSelector("html[data-ready=true]");
  };
  const shown = () =>
    page.$$eval(".ev", (els) =>
      els.filter((e) => e.style.display !== "none").map((e) => e.dataset.slug),
    );
  const type = async (selector, value) => {
    // As a reader does: select what is there, delete it, type the new text.
    await page.$eval(selector, (e) => e.select());
    await page.focus(selector);
    await page.keyboard.press("Backspace");
    await page.keyboard.type(value);
  };
  const text = (selector) => page.$eval(selector, (e) => e.innerText);
  const out = {};

  await open(zoomed);
  out.drawn = await page.$$eval(".ev", (els) =>
    els.map((e) => [
      e.dataset.slug,
      e.dataset.precision,
      e.querySelector(".bar").getBoundingClientRect().width,
    ]),
  );
  out.borders = await page.$$eval(
    "[data-slug='coale-says-trump-wants-normal-relations'] .bar, [data-slug='coale-visits-minsk'] .bar",
    (els) => els.map((e) => getComputedStyle(e).borderTopStyle),
  );
  out.legend = await page.$$eval("#legend li", (els) => els.map((e) => e.innerText));
  out.boxes = await page.$$eval(".ev", (els) =>
    els.map((e) => [e.offsetLeft, e.offsetTop, e.offsetWidth]),
  );

  await open("");
  out.all = (await shown()).length;
  await page.select("#type", "statement");
  out.statements = (await shown()).length;
  out.status = await text("#status");
  await page.select("#type", "");
  await type("#q", "BELAVIA");
  out.belavia = await shown();
  await type("#q", "");
  await page.select("#group", "actor");
  await page.select("#actor", "viktor-khrenin");
  out.khrenin = [...new Set(await shown())].sort();
  out.shared = page.url();
  await open(out.shared.slice(url.length));
  out.restored = await page.$eval("#actor", (e) => e.value);

  await open(zoomed);
  await page.click("[data-slug='coale-visits-minsk']");
  out.panel = {
    title: await text("#panel h2"),
    text: await text("#panel"),
    mark: await text("#panel mark"),
    url: page.url(),
  };
  await page.screenshot({ path: screenshot });
  await page.click("#panel a[data-slug='coale-says-trump-wants-normal-relations']");
  out.related = await text("#panel h2");

  await open(zoomed);
  out.hostile = { label: await text(`[data-slug='${hostile}'] .lbl`) };
  await page.click(`[data-slug='${hostile}']`);
  out.hostile.title = await text("#panel h2");
  out.hostile.images = await page.$$eval("img", (els) => els.length);
  out.hostile.scripts = await page.$$eval("script", (els) => els.length);

  out.violated = await page.evaluate(
    () =>
      new Promise((done) => {
        document.addEventListener("securitypolicyviolation", (e) =>
          done(`${e.effectiveDirective} ${e.blockedURI}`),
        );
        const img = new Image();
        img.src = "https://example.org/x.png";
        document.body.appendChild(img);
      }),
  );
  out.browser = await browser.version();
  console.log(JSON.stringify({ ...out, ...seen }));
} finally {
  await browser.close();
}
