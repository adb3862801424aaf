package org.litsxg.conformance.report;

import java.util.Locale;

/**
 * What the kit's HTML pages share (the conformance report, the matrix, verify-upgrade): text
 * escaping, the document head with the common style, the verdict box and the outcome colours.
 * Every page is self-contained: no script, no external file.
 */
public final class Html {

    /** The style every page has: body, headings, the verdict box, tables, details and pre blocks. */
    private static final String BASE_CSS = "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
            + "h1{font-size:1.4em;margin:0 0 .3em}"
            + ".verdict{font-size:1.2em;font-weight:bold;padding:.4em .6em;border-radius:4px;display:inline-block}"
            + ".pass{background:#d9f2d9}.fail{background:#f8d4d4}"
            + "table{border-collapse:collapse;margin:.6em 0}td,th{padding:2px 8px;text-align:left;vertical-align:top}"
            + "summary{cursor:pointer}pre{background:#f6f6f6;padding:.5em;overflow:auto;max-height:30em;white-space:pre-wrap}";

    /** The colour of each {@link Outcome}, as the class {@code o-<LABEL>} ({@link #outcomeClass}). */
    public static final String OUTCOME_CSS = ".o-OK{background:#d9f2d9}.o-FAILED{background:#f4a6a6}"
            + ".o-NON-STRICT{background:#fbe0a0}.o-INFORMATIONAL{background:#d6e6fb}.o-NOT-RUN{background:#e4e4e4}";

    private Html() {
    }

    /** {@code <!DOCTYPE html>} up to and including {@code <body>}, with the base style and {@code css}. */
    public static String head(String title, String css) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title)
                + "</title>\n<style>" + BASE_CSS + css + "</style></head><body>\n";
    }

    /** The verdict box: green when {@code pass}, red otherwise. */
    public static String verdict(boolean pass, String text) {
        return "<div id=\"verdict\" class=\"verdict " + (pass ? "pass" : "fail") + "\">" + esc(text) + "</div>\n";
    }

    /** The class name that colours a cell with outcome {@code o}: {@code o-NOT-RUN}. */
    public static String outcomeClass(Outcome o) {
        return "o-" + o.label().replace(' ', '-').toUpperCase(Locale.ROOT);
    }

    /** {@code s} with {@code < > & "} escaped; empty for null. */
    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
