package org.litsxg.conformance.explore;

/** One observation the model accepted, for the transcript and the Gherkin writer. */
record Seen(String conn, String kind, String text) {
}
