/**
 * Example vertices as they run in a Numaflow vertex pod, configured entirely from the pod's mounts and
 * variables, and packaged as container images: {@link dev.isb.examples.pod.UppercaseVertex} (a map)
 * and {@link dev.isb.examples.pod.LogSinkVertex} (a sink). For readers: examples, not a library.
 */
package dev.isb.examples.pod;
