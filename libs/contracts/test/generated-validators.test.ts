import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GENERATED_DIR, renderValidators } from "../../../scripts/validators/generate";

test("src/generated holds exactly what npm run validators generates from the schemas now", () => {
  const expected = renderValidators();
  expect(readdirSync(GENERATED_DIR).sort()).toEqual([...expected.keys()].sort());
  for (const [file, text] of expected) expect({ file, text: readFileSync(join(GENERATED_DIR, file), "utf8") }).toEqual({ file, text });
});
