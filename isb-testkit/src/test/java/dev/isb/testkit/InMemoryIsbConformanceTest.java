package dev.isb.testkit;

import dev.isb.IsbClient;
import dev.isb.memory.InMemoryIsb;

/** The in-memory backend passes the conformance kit with every feature. */
class InMemoryIsbConformanceTest extends IsbConformanceKit {

  @Override
  protected IsbClient newClient() {
    return InMemoryIsb.create();
  }

  @Override
  protected BackendFeatures features() {
    return BackendFeatures.defaults();
  }
}
