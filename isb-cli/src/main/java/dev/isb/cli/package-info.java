/**
 * The {@code isb} admin command: creates, validates, inspects and deletes buffers and buckets with the
 * configuration a vertex reads. {@link dev.isb.cli.IsbCli} is the runnable jar's main class and the
 * only public one; the sub-commands and their options are package-private implementation.
 */
package dev.isb.cli;
