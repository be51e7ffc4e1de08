import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import cy from "./clinician.cy.json";
import en from "./clinician.en.json";

type Tree = { [key: string]: string | Tree };

function keys(tree: Tree, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === "string" ? [prefix + k] : keys(v, `${prefix}${k}.`)));
}

function lookup(tree: Tree, key: string): string {
  return key.split(".").reduce<string | Tree>((node, part) => (node as Tree)[part]!, tree) as string;
}

describe("the clinician catalogues", () => {
  it("have every key in both English and Welsh, none empty, with the same placeholders", () => {
    expect(keys(cy as Tree).sort()).toEqual(keys(en as Tree).sort());
    for (const key of keys(en)) {
      for (const tree of [en, cy] as Tree[]) expect(lookup(tree, key).trim(), key).not.toBe("");
      const holes = (tree: Tree) => [...lookup(tree, key).matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      expect(holes(cy as Tree), key).toEqual(holes(en as Tree));
    }
  });

  it("have every key the clinician screens name", () => {
    const known = new Set(keys(en));
    const sources = readdirSync(__dirname).filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f));
    // Keys appear as ct("...") and in tables of keys (the caseload's columns): every quoted section.key string.
    const used = sources.flatMap((file) =>
      [...readFileSync(join(__dirname, file), "utf8").matchAll(/"((?:nav|caseload|safety|outcomes|client|episodes|actions|reviews|team|party|goalWords|rights)\.[a-zA-Z.]+)"/g)].map(
        (m) => m[1]!,
      ),
    );
    expect(used.length).toBeGreaterThan(30);
    expect(used.filter((key) => !known.has(key))).toEqual([]);
  });
});
