package dev.isb;

/** What a reader does with a message whose bytes do not decode, after reporting it. */
public enum OnUndecodable {
  /**
   * Tells the ISB service never to deliver it again (JetStream {@code term}). It is not deleted: under
   * Limits retention it stays in the buffer, at the reported offset, until the limits remove it.
   */
  TERMINATE,
  /** Leaves it un-acked, so it is delivered (and reported) again after ackWait. */
  REDELIVER
}
