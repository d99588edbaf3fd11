/**
 * The demo pipeline ({@link dev.isb.examples.DemoPipeline}): a source, a flat-map/filter/enrich vertex
 * and two sinks talking only through buffers, on the in-memory ISB or a local server, ending with a
 * verdict on what was lost. For readers: an example to run and copy, not a library.
 */
package dev.isb.examples;
