package dev.isb;

import dev.isb.spi.Checks;
import java.util.Objects;

/**
 * What became of one message of a batch given to {@link BufferWriter#write}. A batch gets one result
 * per message, in the order of the batch; one message failing never hides what became of another.
 *
 * <pre>{@code
 * switch (result) {
 *   case WriteResult.Written w -> log(w.offset());
 *   case WriteResult.Duplicate d -> log("already written at " + d.original());
 *   case WriteResult.Dropped d -> dropCounter.increment();
 *   case WriteResult.Failed f -> { if (f.retryable()) retry(); else deadLetter(f.cause()); }
 * }
 * }</pre>
 */
public sealed interface WriteResult
    permits WriteResult.Written, WriteResult.Duplicate, WriteResult.Dropped, WriteResult.Failed {

  /** Whether the message is in the buffer after this write (written now, or earlier). */
  default boolean isStored() {
    return this instanceof Written || this instanceof Duplicate;
  }

  /**
   * The message was stored.
   *
   * @param offset where it was stored
   */
  record Written(Offset offset) implements WriteResult {
    /** Checks for null. */
    public Written {
      Objects.requireNonNull(offset, "offset");
    }
  }

  /**
   * A message with the same {@link MessageId} was already stored inside the duplicates window; this
   * write stored nothing.
   *
   * @param original where the first copy is
   */
  record Duplicate(Offset original) implements WriteResult {
    /** Checks for null. */
    public Duplicate {
      Objects.requireNonNull(original, "original");
    }
  }

  /**
   * The message was not stored and will not be: the writer dropped it on purpose.
   *
   * @param reason why
   */
  record Dropped(DropReason reason) implements WriteResult {
    /** Checks for null. */
    public Dropped {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The message was not stored.
   *
   * @param cause what went wrong; names the buffer
   * @param retryable whether writing the same message again may succeed (it cannot create a second
   *     copy: the de-duplication id makes the retry safe)
   */
  record Failed(IsbException cause, boolean retryable) implements WriteResult {
    /** Checks for null. */
    public Failed {
      Objects.requireNonNull(cause, "cause");
    }
  }

  /** Why a message was dropped. */
  enum DropReason {
    /** The buffer was full and the writer's policy is {@link OnFull#DISCARD_LATEST}. */
    BUFFER_FULL
  }
}
