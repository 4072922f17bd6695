// Bundles src/ into the integration's frontend folder. The first line of the bundle names a hash of the
// sources, so a test can tell whether the committed bundle was built from the current sources.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = dirname(fileURLToPath(import.meta.url));
// SSCH_BUNDLE_OUT: build elsewhere (a test compares such a build with the committed bundle).
const outfile =
  process.env.SSCH_BUNDLE_OUT ?? join(root, "..", "custom_components", "ssch", "frontend", "ssch-plan-card.js");
const INPUTS = ["build.mjs", "package.json", "package-lock.json", "tsconfig.json"];

function files(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(folder, entry.name)) : [join(folder, entry.name)],
  );
}

export function sourceHash() {
  const paths = [...INPUTS.map((name) => join(root, name)), ...files(join(root, "src"))]
    .map((path) => relative(root, path).split(sep).join("/"))
    .sort();
  const hash = createHash("sha256");
  for (const path of paths) {
    hash.update(`${path}\0`);
    hash.update(readFileSync(join(root, path)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
await build({
  entryPoints: [join(root, "src", "index.ts")],
  outfile,
  bundle: true,
  format: "esm",
  target: "es2021",
  minify: true,
  charset: "utf8",
  legalComments: "eof",
  logLevel: "warning",
  banner: { js: `/* ssch-plan-card ${version} source-sha256 ${sourceHash()} */` },
});
