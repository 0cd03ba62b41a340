// Loads the API's descriptors straight from proto/ (no generated or hand-written message code):
// `buf build` writes binary FileDescriptorSets, which become one protobuf-es registry.
// google.rpc.BadRequest (for error details) comes from the google-proto-files package.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

const here = dirname(fileURLToPath(import.meta.url));
export const protoDir = join(here, "..", "..", "proto");
const bufBin = join(here, "node_modules", ".bin", "buf");
const googleProtos = join(here, "node_modules", "google-proto-files");

function bufBuild(input, out, extraArgs = []) {
  execFileSync(bufBin, ["build", input, "-o", out, ...extraArgs], { stdio: ["ignore", "inherit", "inherit"] });
  return fromBinary(FileDescriptorSetSchema, readFileSync(out));
}

/** Builds the descriptor sets and returns a registry with eventkit.v1 and google.rpc types. */
export function loadRegistry() {
  const dir = mkdtempSync(join(tmpdir(), "eventkit-desc-"));
  try {
    const api = bufBuild(protoDir, join(dir, "api.binpb"));
    const rpc = bufBuild(googleProtos, join(dir, "rpc.binpb"), [
      "--path",
      join(googleProtos, "google", "rpc", "error_details.proto"),
    ]);
    // Both sets carry google/protobuf/*.proto: keep one copy of each file.
    const seen = new Set();
    const file = [...api.file, ...rpc.file].filter((f) => !seen.has(f.name) && seen.add(f.name));
    return createFileRegistry({ ...api, file });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The number of an enum value, looked up by its proto name. */
export function enumNumber(registry, enumTypeName, valueName) {
  const desc = registry.getEnum(enumTypeName);
  if (!desc) throw new Error(`enum ${enumTypeName} not in the registry`);
  const value = desc.values.find((v) => v.name === valueName);
  if (!value) throw new Error(`${valueName} is not a value of ${enumTypeName}`);
  return value.number;
}
