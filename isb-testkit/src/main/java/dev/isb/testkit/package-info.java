/**
 * The test kit, for tests only (it brings JUnit 5 and AssertJ): {@link dev.isb.testkit.IsbConformanceKit},
 * the semantics every backend shows as a JUnit suite that a backend's test extends, one file per group
 * of tests; the JUnit extensions {@link dev.isb.testkit.NatsServerExtension} and
 * {@link dev.isb.testkit.RedisServerExtension}, which give a test class its own servers and keep their
 * logs when a test fails; {@link dev.isb.testkit.Workload} and {@link dev.isb.testkit.History} for
 * fault runs; {@link dev.isb.testkit.LogCapture} for tests that no secret is logged;
 * {@link dev.isb.testkit.WatchRecorder} for tests of watermark watches;
 * {@link dev.isb.testkit.MutualTlsConformanceKit}, the mutual-TLS checks a backend's test extends.
 *
 * <p>For the tests of vertices and of backends. No production code depends on it; production code
 * that needs an ISB without a network uses {@code isb-memory}, one that needs a server
 * {@code isb-servers}. The conformance groups and the extensions' shared base are package-private.
 */
package dev.isb.testkit;
