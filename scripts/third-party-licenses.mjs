// dist/THIRD-PARTY-LICENSES.md: the licence texts of the npm packages the bundles inline (found in
// esbuild's metafiles), since minified bundles keep no comments.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The package folders (node_modules/NAME or node_modules/@SCOPE/NAME) a bundle's inputs come from. */
function packagesOf(metafile) {
  const folders = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) folders.add(input.slice(0, m.index + m[0].length - 1));
  }
  return folders;
}

function licenceText(folder) {
  const file = readdirSync(folder).find((f) => /^(licen[sc]e|copying)([-.][\w.-]+)?$/i.test(f));
  return file ? readFileSync(join(folder, file), "utf8").trim() : undefined;
}

/** Writes the notices for `{ bundle: metafile }`; throws when a package ships no licence text. */
export function writeThirdPartyLicenses(root, metafiles) {
  const users = new Map();
  for (const [bundle, metafile] of Object.entries(metafiles)) {
    for (const folder of packagesOf(metafile)) users.set(folder, [...(users.get(folder) ?? []), bundle]);
  }
  const sections = [...users].sort(([a], [b]) => (a < b ? -1 : 1)).map(([folder, bundles]) => {
    const pkg = JSON.parse(readFileSync(join(root, folder, "package.json"), "utf8"));
    const text = licenceText(join(root, folder));
    if (!text) throw new Error(`third-party licences: ${pkg.name} ships no LICENSE file; add its notice by hand`);
    return `## ${pkg.name} ${pkg.version} (${pkg.license}), in ${bundles.join(", ")}\n\n\`\`\`text\n${text}\n\`\`\`\n`;
  });
  const out = join(root, "dist", "THIRD-PARTY-LICENSES.md");
  writeFileSync(out, "# Third-party licences\n\nThe kshot bundles include these npm packages.\n\n" + sections.join("\n"));
  return existsSync(out) ? out : undefined;
}
