// Compiles contracts/XvmToken.sol with solc (npm package, version pinned in package.json)
// through its standard-JSON interface and prints the standard-JSON output: ABI, init code, and
// the runtime source map with the source ids it refers to (for `xvm evm profile --artifact`).
const fs = require("fs");
const path = require("path");
const solc = require("solc");

const file = "contracts/XvmToken.sol";
const input = {
  language: "Solidity",
  sources: { [file]: { content: fs.readFileSync(path.join(__dirname, file), "utf8") } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "prague",
    outputSelection: {
      [file]: { XvmToken: ["abi", "evm.bytecode.object", "evm.deployedBytecode.sourceMap"] },
    },
  },
};
function findImports(p) {
  try {
    return { contents: fs.readFileSync(require.resolve(p, { paths: [__dirname] }), "utf8") };
  } catch (e) {
    return { error: `not found: ${p}` };
  }
}
const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (out.errors || []).filter((e) => e.severity === "error");
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
delete out.errors;
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
