// Turns the two release builds into the site the portal serves, with the steps that
// `cargo leptos build --release --precompress` runs after its cargo builds, so that scripts/run
// and scripts/test need no cargo-leptos (compiling it took most of a first run):
//
//   1. target/site emptied; public/ copied into it;
//   2. wasm-bindgen (--target=web) on the wasm build, into target/site/pkg, `portal_bg.wasm`
//      renamed `portal.wasm`;
//   3. wasm-opt -Oz on it (binaryen's, from end2end/node_modules);
//   4. the JavaScript glue minified with swc (compress, mangle, as an ES module);
//   5. style/main.css minified by lightningcss for the browserslist query "defaults";
//   6. each file of pkg/ (but snippets/) renamed `<name>.<hash>.<ext>`, the hash being the MD5 of
//      its content in unpadded base64url, and the hashes written to target/release/hash.txt
//      (`js: …`, `wasm: …`, `css: …`), which the server reads at start (src/server/assets.rs);
//   7. a gzip and a brotli copy of every file of the site.
//
// One difference, on purpose: wasm-bindgen is asked for no TypeScript declarations, which no page
// loads. Run by scripts/build-site after the cargo builds:
//
//   node scripts/bundle-site.mjs
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The bundling tools are Node packages of end2end/, installed by scripts/setup with the rest.
const require = createRequire(path.join(root, 'end2end', 'package.json'));
function tool(name) {
  try {
    return require(name);
  } catch {
    console.error(`bundle: the Node package ${name} is missing from end2end/node_modules: run scripts/setup`);
    process.exit(1);
  }
}
const swc = tool('@swc/core');
const lightningcss = tool('lightningcss');
const browserslist = tool('browserslist');

const output = 'portal';
const siteRoot = path.join(root, 'target', 'site');
const pkgDir = path.join(siteRoot, 'pkg');
const wasmBuild = path.join(
  root, 'target', 'front', 'wasm32-unknown-unknown', 'wasm-release', 'abuse_portal.wasm');
const hashFile = path.join(root, 'target', 'release', 'hash.txt');
const bin = path.join(root, 'end2end', 'node_modules', '.bin');

const started = Date.now();
const step = (what) => console.log(`bundle: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

function fail(message) {
  console.error(`bundle: ${message}`);
  process.exit(1);
}

if (!fs.existsSync(wasmBuild)) {
  fail(`no wasm build at ${path.relative(root, wasmBuild)}: run scripts/build-site, which builds it first`);
}

// 1. An empty site with the public assets.
fs.rmSync(siteRoot, { recursive: true, force: true });
fs.mkdirSync(pkgDir, { recursive: true });
fs.cpSync(path.join(root, 'public'), siteRoot, { recursive: true });

// 2. The JavaScript glue and the final WebAssembly.
step('wasm-bindgen');
execFileSync('wasm-bindgen', [
  '--target=web', '--no-typescript', `--out-name=${output}`, `--out-dir=${pkgDir}`, wasmBuild,
], { stdio: 'inherit' });
const wasmFile = path.join(pkgDir, `${output}.wasm`);
fs.renameSync(path.join(pkgDir, `${output}_bg.wasm`), wasmFile);

// 3. Smaller WebAssembly, with the flags cargo-leptos passes.
step('wasm-opt -Oz');
execFileSync(path.join(bin, 'wasm-opt'), [
  '-Oz', '--enable-bulk-memory', '--enable-nontrapping-float-to-int', wasmFile, '-o', wasmFile,
], { stdio: 'inherit' });

// 4. Minified JavaScript, with the options cargo-leptos gives swc.
step('minifying the JavaScript');
const jsFile = path.join(pkgDir, `${output}.js`);
const minified = await swc.minify(fs.readFileSync(jsFile, 'utf8'), {
  compress: true,
  mangle: true,
  module: true,
});
fs.writeFileSync(jsFile, minified.code);

// 5. The style sheet, minified for the browsers of the query cargo-leptos uses by default.
step('minifying the style sheet');
const cssSource = path.join(root, 'style', 'main.css');
const cssFile = path.join(pkgDir, `${output}.css`);
const css = lightningcss.transform({
  filename: cssSource,
  code: fs.readFileSync(cssSource),
  minify: true,
  targets: lightningcss.browserslistToTargets(browserslist('defaults')),
});
fs.writeFileSync(cssFile, css.code);

// 6. Content-hashed names, and the hash file the server reads.
step('naming the files after their content');
const md5 = (file) => createHash('md5').update(fs.readFileSync(file)).digest('base64url');
const renamed = new Map();
for (const entry of fs.readdirSync(pkgDir, { withFileTypes: true })) {
  // wasm-bindgen's snippets are imported by their plain names.
  if (!entry.isFile()) continue;
  const file = path.join(pkgDir, entry.name);
  const ext = path.extname(entry.name);
  const hash = md5(file);
  const hashed = `${path.basename(entry.name, ext)}.${hash}${ext}`;
  fs.renameSync(file, path.join(pkgDir, hashed));
  renamed.set(entry.name, { hashed, hash });
}
const hashOf = (name) => renamed.get(name)?.hash ?? fail(`${name} is missing from the bundle`);
const glue = path.join(pkgDir, renamed.get(`${output}.js`).hashed);
let glueText = fs.readFileSync(glue, 'utf8');
for (const [plain, { hashed }] of renamed) glueText = glueText.replaceAll(plain, hashed);
fs.writeFileSync(glue, glueText);
fs.mkdirSync(path.dirname(hashFile), { recursive: true });
fs.writeFileSync(
  hashFile,
  `js: ${hashOf(`${output}.js`)}\nwasm: ${hashOf(`${output}.wasm`)}\ncss: ${hashOf(`${output}.css`)}\n`,
);

// 7. Precompressed copies of every file, as the server sends them.
step('compressing');
function compressAll(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      compressAll(file);
    } else if (!/\.(gz|br)$/.test(entry.name)) {
      const content = fs.readFileSync(file);
      fs.writeFileSync(`${file}.gz`, zlib.gzipSync(content, { level: 9 }));
      fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(content, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length,
        },
      }));
    }
  }
}
compressAll(siteRoot);

const size = (name) => `${(fs.statSync(path.join(pkgDir, name)).size / 1024).toFixed(0)} KiB`;
for (const [plain, { hashed }] of renamed) {
  console.log(`bundle: pkg/${hashed}  ${size(hashed)}, brotli ${size(`${hashed}.br`)}  (${plain})`);
}
step('done');
