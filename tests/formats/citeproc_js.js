// Render a bibliography with citeproc-js (the engine of Zotero) for the comparison tests.
// stdin: {"style": PATH, "locales": DIR, "lang": TAG, "items": [CSL-JSON...]}
// stdout: {"ids": [id in bibliography order], "entries": [plain-text entry]}
"use strict";
const fs = require("fs");
const path = require("path");
const CSL = require(process.env.CITEPROC_JS || "citeproc");

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const byId = new Map(request.items.map((item) => [String(item.id), item]));
const sys = {
  retrieveLocale(lang) {
    try {
      return fs.readFileSync(path.join(request.locales, `locales-${lang}.xml`), "utf8");
    } catch (err) {
      return false;
    }
  },
  retrieveItem(id) {
    return byId.get(String(id));
  },
};
const style = fs.readFileSync(request.style, "utf8");
const engine = new CSL.Engine(sys, style, request.lang, true);
engine.setOutputFormat("text");
engine.updateItems(request.items.map((item) => String(item.id)));
const [meta, entries] = engine.makeBibliography();
process.stdout.write(
  JSON.stringify({ ids: meta.entry_ids.map((ids) => String(ids[0])), entries: entries.map((e) => e.trim()) })
);
