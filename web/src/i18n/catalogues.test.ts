import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import cy from "./cy.json";
import en from "./en.json";
import { formatDate, languageOf } from ".";

type Tree = { [key: string]: string | Tree };

function lookup(tree: Tree, key: string): string {
  const found = key.split(".").reduce<string | Tree | undefined>((node, part) => (node as Tree | undefined)?.[part], tree);
  if (typeof found !== "string") throw new Error(`${key} is not a text`);
  return found;
}

function keys(tree: Tree, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === "string" ? [prefix + k] : keys(v, `${prefix}${k}.`)));
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

describe("the language catalogues", () => {
  it("have every key in both English and Welsh", () => {
    expect(keys(cy as Tree).sort()).toEqual(keys(en as Tree).sort());
  });

  it("have no empty text in either language", () => {
    for (const catalogue of [en, cy] as Tree[]) {
      const flat = keys(catalogue);
      for (const key of flat) expect(lookup(catalogue, key).trim(), key).not.toBe("");
    }
  });

  it("have every key the code asks for by name", () => {
    const known = new Set(keys(en));
    const root = join(__dirname, "..");
    const used = sources(root).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/\bt\(\s*"([a-zA-Z0-9_.]+)"/g)].map((m) => m[1]!),
    );
    expect(used.length).toBeGreaterThan(50);
    expect(used.filter((key) => !known.has(key))).toEqual([]);
  });

  it("keep the same placeholders in both languages", () => {
    const placeholders = (tree: Tree) =>
      Object.fromEntries(
        keys(tree).map((key) => [key, [...lookup(tree, key).matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort()]),
      );
    expect(placeholders(cy as Tree)).toEqual(placeholders(en as Tree));
  });
});

describe("language and dates", () => {
  it("follow the preference's locale: Welsh for cy and cy-GB, English otherwise", () => {
    expect(languageOf("cy")).toBe("cy");
    expect(languageOf("cy-GB")).toBe("cy");
    expect(languageOf("en-GB")).toBe("en");
    expect(languageOf(undefined)).toBe("en");
  });

  it("write dates through Intl in the language shown", () => {
    expect(formatDate("2026-03-05T12:00:00Z", "en")).toBe("5 March 2026");
    expect(formatDate("2026-03-05T12:00:00Z", "cy")).toMatch(/5 Mawrth 2026/);
    expect(formatDate("2027-02-26T12:00:00Z", "cy")).toBe("26 Chwefror 2027");
  });

  it("fall back to British, not American, English where the runtime has no Welsh data (as in Debian's Chromium)", () => {
    // Stands in for a browser without Welsh ICU data: Welsh is dropped from what Intl is asked for, and with
    // nothing left it uses its default locale, American English, as Chromium does.
    const Real = Intl.DateTimeFormat;
    class WithoutWelsh extends Real {
      constructor(locales?: string | string[], options?: Intl.DateTimeFormatOptions) {
        const left = ([] as string[]).concat(locales ?? []).filter((l) => !l.toLowerCase().startsWith("cy"));
        super(left.length ? left : ["en-US"], options);
      }
    }
    vi.spyOn(Intl, "DateTimeFormat").mockImplementation(WithoutWelsh as unknown as typeof Intl.DateTimeFormat);
    try {
      expect(new Intl.DateTimeFormat("cy-GB", { month: "long" }).resolvedOptions().locale).not.toMatch(/^cy/);
      expect(formatDate("2027-02-26T12:00:00Z", "cy")).toBe("26 February 2027");
    } finally {
      vi.restoreAllMocks();
    }
  });
});
