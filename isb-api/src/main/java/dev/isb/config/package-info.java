/**
 * A vertex pod's ISB configuration: {@link dev.isb.config.IsbConfig}, resolved from Numaflow's
 * sources (controller configuration, InterStepBufferService resource, environment, secret files)
 * and turned into {@link dev.isb.IsbOptions}, buffer settings and writer limits.
 *
 * <pre>{@code
 * try (IsbClient isb = IsbConfig.load().open()) { ... }
 * }</pre>
 *
 * <p>{@link dev.isb.config.GoDurations} (Go's duration grammar) and {@link dev.isb.config.VertexObject}
 * (the pod's {@code NUMAFLOW_VERTEX_OBJECT}) are the one parser of each, shared by the vertex runtime
 * and the {@code isb} command. For users; the readers of each source and the resolver are
 * package-private implementation. Backends do not use this package: they are handed
 * {@link dev.isb.IsbOptions}.
 */
package dev.isb.config;
