package dev.capstan.bench.report;

/** A benchmark of the suite that produced no result this run, and why (absent, failed...). */
public record NotRun(String name, String reason) {}
