// The library as a user gets it: installed into a temporary prefix, then
// used by programs outside the source tree, built the ways docs/install.md
// shows (pkg-config with the shared library, pkg-config --static against a
// static-only install, find_package with lv_embed_templates, add_subdirectory)
// and by a project made with scripts/new-app. Each program runs from an empty
// directory with none of the test's environment (no source tree path, no
// LV_ASSETS_DIR), serves on 127.0.0.1 port 0, and its counter is clicked in
// Chromium. console.c also serves from the library's thread (lv_app_start)
// while a thread of its own broadcasts readings to the page, and stops on
// SIGTERM through its own sigwait.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, playwright, CHROMIUM_ARGS, sourceDir } from "../lib/server.mjs";
import { newPage, connected, screenshot } from "../lib/browser.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const buildDir = process.env.LV_BUILD_DIR || path.join(sourceDir, "build");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lv-install-"));
const prefix = path.join(tmp, "prefix");
const pkgconfigDir = path.join(prefix, "lib/pkgconfig");

const SECRET = "install-test-secret-key-base-0123456789abcdef";
let browser;

// Runs a command with only PATH and the given variables in its environment,
// so nothing from the source tree's test set-up leaks into a build.
function run(cmd, args, { env = {}, cwd = tmp } = {}) {
  try {
    return execFileSync(cmd, args, {
      cwd,
      env: { PATH: process.env.PATH, HOME: tmp, ...env },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(" ")} failed (${e.status}):\n${e.stdout}\n${e.stderr}`);
  }
}

// `cc` with the flags pkg-config gives, as a shell would expand them.
function pkgConfig(pcDir, ...args) {
  return run("pkg-config", [...args, "liveview"], { env: { PKG_CONFIG_PATH: pcDir } }).trim().split(/\s+/).filter(Boolean);
}

function emptyDir(name) {
  const dir = path.join(tmp, "run-" + name);
  fs.mkdirSync(dir);
  return dir;
}

function needed(binary) {
  return run("readelf", ["-d", binary]).split("\n").filter((l) => l.includes("(NEEDED)")).map((l) => /\[(.*)\]/.exec(l)[1]);
}

// Serves the program from an empty directory, checks the counter in
// Chromium (and whatever `more` checks on the page), then stops it with
// SIGTERM, which must end it cleanly. Resolves to the program's output.
async function serveAndClick(bin, name, heading, more = async () => {}) {
  const server = await startServer(
    // No LV_ASSETS_DIR at all: the client is in the library.
    { LV_SECRET_KEY_BASE: SECRET, LV_ASSETS_DIR: undefined },
    { bin, cwd: emptyDir(name), inheritEnv: false });
  try {
    const page = await newPage(browser);
    await page.goto(server.url + "/");
    await connected(page);
    assert.equal(await page.textContent("h1"), heading);
    assert.equal(await page.textContent("#count"), "0");
    await page.click("#inc");
    await page.waitForSelector("#count:text-is('1')");
    await page.click("#inc");
    await page.waitForSelector("#count:text-is('2')");
    await page.click("#dec");
    await page.waitForSelector("#count:text-is('1')");
    await more(page);
    await screenshot(page, `install-${name}.png`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  } finally {
    const code = await server.stop();
    assert.equal(code, 0, `${name} stops cleanly on SIGTERM:\n${server.output()}`);
  }
  return server.output();
}

// The number at `selector` comes from broadcasts by a thread of the program
// (not the loop's): it arrives, and keeps changing.
const broadcastsArrive = (selector) => async (page) => {
  const now = () => page.evaluate((s) => Number(document.querySelector(s).textContent), selector);
  await page.waitForFunction((s) => Number(document.querySelector(s).textContent) > 0, selector);
  const first = await now();
  await page.waitForFunction(([s, n]) => Number(document.querySelector(s).textContent) > n, [selector, first]);
};
const readingsArrive = broadcastsArrive("#reading");

// console.c runs the app with lv_app_start and waits for the signal itself:
// SIGTERM reaches its sigwait, and lv_app_wait returns 0.
function stoppedBySigterm(output) {
  assert.match(output, /console: serving on port [1-9]\d*\n/);
  assert.match(output, /console: stopped by signal 15, app returned 0\n/);
}

before(async () => {
  run("cmake", ["--install", buildDir, "--prefix", prefix]);
  browser = await playwright().chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// The function names the public headers declare, comments left out.
function declaredFunctions(includeDir) {
  const names = new Set();
  for (const file of fs.readdirSync(includeDir).filter((f) => f.endsWith(".h"))) {
    const text = fs.readFileSync(path.join(includeDir, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
    for (const m of text.matchAll(/\b(lv_[A-Za-z0-9_]+)\s*\(/g)) names.add(m[1]);
  }
  return [...names].sort();
}

test("installs the headers, both libraries, liveview.pc and the CMake package", () => {
  for (const file of ["include/liveview.h", "lib/libliveview.a", "lib/pkgconfig/liveview.pc",
                      "lib/cmake/liveview/liveviewConfig.cmake", "lib/cmake/liveview/liveviewConfigVersion.cmake",
                      "lib/cmake/liveview/LiveViewEmbed.cmake", "lib/cmake/liveview/embed_templates.cmake"])
    assert.ok(fs.existsSync(path.join(prefix, file)), file);
  assert.ok(fs.existsSync(path.join(prefix, "include/liveview_test.h")), "include/liveview_test.h");

  // One version: the header's LV_VERSION is the SONAME's, the .pc's and the package's.
  const version = /#define LV_VERSION "([0-9.]+)"/.exec(fs.readFileSync(path.join(sourceDir, "include/liveview.h"), "utf8"))[1];
  const major = version.split(".")[0];
  assert.equal(fs.readlinkSync(path.join(prefix, "lib/libliveview.so")), `libliveview.so.${major}`);
  assert.equal(fs.readlinkSync(path.join(prefix, `lib/libliveview.so.${major}`)), `libliveview.so.${version}`);
  assert.match(run("readelf", ["-d", path.join(prefix, `lib/libliveview.so.${version}`)]),
               new RegExp(`\\(SONAME\\)\\s+Library soname: \\[libliveview\\.so\\.${major}\\]`));
  assert.equal(pkgConfig(pkgconfigDir, "--modversion")[0], version);
  assert.deepEqual(pkgConfig(pkgconfigDir, "--cflags", "--libs"),
                   ["-I" + path.join(prefix, "include"), "-L" + path.join(prefix, "lib"), "-lliveview"]);
  assert.match(fs.readFileSync(path.join(prefix, "lib/cmake/liveview/liveviewConfigVersion.cmake"), "utf8"),
               new RegExp(`PACKAGE_VERSION "${version.replace(/\./g, "\\.")}"`));

  // The shared library exports the API the headers declare, and nothing
  // else: no internal function, no llhttp.
  const exported = run("nm", ["-D", "--defined-only", path.join(prefix, "lib/libliveview.so")])
    .split("\n").filter(Boolean).map((l) => l.split(" ").pop()).sort();
  assert.deepEqual(exported, declaredFunctions(path.join(prefix, "include")));
  // The static library holds llhttp too: nothing to install beside it.
  assert.match(run("nm", ["--defined-only", path.join(prefix, "lib/libliveview.a")]), / T llhttp_execute$/m);
});

test("DESTDIR stages the install under DESTDIR/prefix, liveview.pc naming the prefix", () => {
  const stage = path.join(tmp, "stage");
  run("cmake", ["--install", buildDir, "--prefix", "/usr/local"], { env: { DESTDIR: stage } });
  for (const file of ["include/liveview.h", "lib/libliveview.a", "lib/libliveview.so", "lib/pkgconfig/liveview.pc",
                      "lib/cmake/liveview/liveviewConfig.cmake"])
    assert.ok(fs.existsSync(path.join(stage, "usr/local", file)), file);
  // The staged file names the final prefix; a sysroot finds the staged tree.
  const pc = fs.readFileSync(path.join(stage, "usr/local/lib/pkgconfig/liveview.pc"), "utf8");
  assert.match(pc, /^prefix=\/usr\/local$/m);
  const cflags = run("pkg-config", ["--cflags", "liveview"],
                     { env: { PKG_CONFIG_PATH: path.join(stage, "usr/local/lib/pkgconfig"), PKG_CONFIG_SYSROOT_DIR: stage } });
  assert.equal(cflags.trim().split(/\s+/)[0], "-I" + path.join(stage, "usr/local/include"));
});

test("pkg-config: a program linked with the shared library serves beside its own threads", async () => {
  const bin = path.join(tmp, "console-shared");
  run("cc", ["-std=c17", "-Wall", "-Wextra", "-Werror", path.join(here, "console.c"), "-o", bin,
             ...pkgConfig(pkgconfigDir, "--cflags", "--libs"), "-Wl,-rpath," + path.join(prefix, "lib")]);
  assert.ok(needed(bin).includes("libliveview.so.0"), "linked with libliveview.so.0");
  stoppedBySigterm(await serveAndClick(bin, "console-shared", "Console", readingsArrive));
});

test("pkg-config --static: against a static-only install, the program carries the library", async () => {
  // `cmake --install --component devel` installs all but libliveview.so*, as
  // a build configured with -DLV_BUILD_SHARED=OFF would.
  const staticPrefix = path.join(tmp, "static-prefix");
  run("cmake", ["--install", buildDir, "--prefix", staticPrefix, "--component", "devel"]);
  assert.ok(!fs.existsSync(path.join(staticPrefix, "lib/libliveview.so")));
  const bin = path.join(tmp, "console-static");
  run("cc", ["-std=c17", "-Wall", "-Wextra", "-Werror", path.join(here, "console.c"), "-o", bin,
             ...pkgConfig(path.join(staticPrefix, "lib/pkgconfig"), "--static", "--cflags", "--libs")]);
  assert.ok(!needed(bin).some((lib) => lib.startsWith("libliveview")), "no libliveview.so needed: " + needed(bin));
  fs.rmSync(staticPrefix, { recursive: true });
  stoppedBySigterm(await serveAndClick(bin, "console-static", "Console", readingsArrive));
});

test("find_package: a CMake project links liveview::liveview_static and embeds a template and a static file", async () => {
  const build = path.join(tmp, "cmake-app");
  run("cmake", ["-S", path.join(here, "cmake_app"), "-B", build, "-G", "Ninja", "-DCMAKE_PREFIX_PATH=" + prefix]);
  run("cmake", ["--build", build]);
  const bin = path.join(build, "cmake_app");
  assert.ok(!needed(bin).some((lib) => lib.startsWith("libliveview")));
  // The template and the static file are in the binary: it runs from an
  // empty directory.
  await serveAndClick(bin, "cmake-app", "Tally", async (page) => {
    const res = await page.request.get(new URL("/static/hello.txt", page.url()).href);
    assert.equal(res.status(), 200);
    assert.equal(await res.text(), "served from the binary\n");
  });
});

test("find_package: lv_embed_templates names a directory that is not there", () => {
  assert.throws(
    () => run("cmake", ["-S", path.join(here, "cmake_app"), "-B", path.join(tmp, "cmake-app-bad"), "-G", "Ninja",
                        "-DCMAKE_PREFIX_PATH=" + prefix, "-DTALLY_TEMPLATES=no-such-dir"]),
    /lv_embed_templates\(cmake_app\): DIR\s+\S*no-such-dir\s+is\s+not\s+a\s+directory/);
});

test("add_subdirectory: only the library is built besides the program, which works", async () => {
  const build = path.join(tmp, "subdir-app");
  run("cmake", ["-S", path.join(here, "subdir_app"), "-B", build, "-G", "Ninja", "-DLIVEVIEW_SOURCE_DIR=" + sourceDir]);
  const linked = run("ninja", ["-C", build, "-t", "targets", "all"]).split("\n")
    .filter((l) => /: C_(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE)_LINKER/.test(l)).map((l) => l.split(":")[0]).sort();
  assert.deepEqual(linked, ["cmake_app", "liveview/libliveview.a"]);
  run("cmake", ["--build", build, "-j2"]);
  await serveAndClick(path.join(build, "cmake_app"), "subdir-app", "Tally");
});

test("scripts/new-app: refuses bad names and a non-empty directory", () => {
  const script = path.join(sourceDir, "scripts/new-app");
  const refuse = (args, message) => {
    let error = null;
    try {
      run(script, args);
    } catch (e) {
      error = e;
    }
    assert.ok(error, `new-app ${args.join(" ")} is refused`);
    assert.match(error.message, message);
  };
  refuse([], /usage/);
  refuse(["1app", path.join(tmp, "a")], /invalid NAME/);
  refuse(["my app", path.join(tmp, "a")], /invalid NAME/);
  refuse(["app;rm", path.join(tmp, "a")], /invalid NAME/);
  const full = path.join(tmp, "full");
  fs.mkdirSync(full);
  fs.writeFileSync(path.join(full, "keep.txt"), "mine");
  refuse(["app", full], /not empty/);
  assert.deepEqual(fs.readdirSync(full), ["keep.txt"]);
  assert.ok(!fs.existsSync(path.join(tmp, "a")));
});

test("scripts/new-app: the project builds against the install, its test passes, it serves", async () => {
  const project = path.join(tmp, "new-app");
  run(path.join(sourceDir, "scripts/new-app"), ["hello-console", project]);
  for (const file of ["CMakeLists.txt", "README.md", ".gitignore", "src/main.c", "src/counter.c",
                      "templates/counter.html", "tests/test_counter.c"])
    assert.ok(fs.existsSync(path.join(project, file)), file);
  const build = path.join(project, "build");
  // -Werror: the generated code compiles without a warning.
  run("cmake", ["-S", project, "-B", build, "-G", "Ninja", "-DCMAKE_PREFIX_PATH=" + prefix, "-DCMAKE_C_FLAGS=-Werror"],
      { cwd: project });
  run("cmake", ["--build", build], { cwd: project });
  const out = run("ctest", ["--test-dir", build, "--output-on-failure"], { cwd: project });
  assert.match(out, /100% tests passed/);
  const bin = path.join(build, "hello-console");
  assert.ok(needed(bin).includes("libliveview.so.0"), "the project uses the shared library");
  // Its main serves with lv_app_start beside a ticker thread, and stops on SIGTERM.
  await serveAndClick(bin, "new-app", "hello-console", broadcastsArrive("#uptime"));
});
