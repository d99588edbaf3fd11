package dev.isb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MessageModelTest {

  @Test
  @DisplayName("the de-duplication key is vertex-offset-index, as Numaflow's MessageID.String()")
  void dedupKey() {
    assertThat(new MessageId("map", "1042-0", 3).dedupKey()).isEqualTo("map-1042-0-3");
    assertThat(new MessageId("", "", 0).dedupKey()).isEqualTo("--0");
    assertThat(new MessageId("v", "o", -1)).hasToString("v-o--1");
  }

  @Test
  @DisplayName("headers are immutable copies: changing the caller's collections changes nothing")
  void headerCopies() {
    var keys = new ArrayList<>(List.of("k1"));
    var headers = new HashMap<>(Map.of("h", "v"));
    Header h = Header.builder(new MessageId("v", "1", 0)).keys(keys).headers(headers).build();
    keys.add("k2");
    headers.put("x", "y");
    assertThat(h.keys()).containsExactly("k1");
    assertThat(h.headers()).containsOnlyKeys("h");
    assertThatThrownBy(() -> h.keys().add("z")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(h.toBuilder().late(true).build()).isNotEqualTo(h).extracting(Header::late).isEqualTo(true);
  }

  @Test
  @DisplayName("messages compare by content and print a bounded hex preview of the payload")
  void messageEqualityAndToString() {
    var id = new MessageId("v", "1", 0);
    Message a = Message.data(id, "hello".getBytes(StandardCharsets.UTF_8));
    Message b = Message.data(id, "hello".getBytes(StandardCharsets.UTF_8));
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(Message.data(id, "hellO".getBytes(StandardCharsets.UTF_8)));
    assertThat(a.toString()).contains("payload[5]=68656c6c6f");
    assertThat(Message.data(id, new byte[1000]).toString()).contains("payload[1000]=").endsWith("…}").hasSizeLessThan(400);
    assertThat(Message.watermarkBarrier(id).kind()).isEqualTo(Kind.WMB);
    assertThat(Message.watermarkBarrier(id).payload()).isEmpty();
  }

  @Test
  @DisplayName("metadata compares byte values by content and is empty when nothing is set")
  void metadata() {
    Metadata m1 = Metadata.of("prev", Map.of("sys", Map.of("k", new byte[] {1, 2})), Map.of());
    Metadata m2 = Metadata.of("prev", Map.of("sys", Map.of("k", new byte[] {1, 2})), Map.of());
    assertThat(m1).isEqualTo(m2).hasSameHashCodeAs(m2).isNotEqualTo(Metadata.ofPreviousVertex("prev"));
    assertThat(Metadata.of("", Map.of(), Map.of())).isSameAs(Metadata.EMPTY);
    assertThat(Metadata.EMPTY.isEmpty()).isTrue();
    assertThat(m1.isEmpty()).isFalse();
  }

  @Test
  @DisplayName("kinds map to Numaflow's wire values and unknown values are refused")
  void kinds() {
    assertThat(Kind.fromWireValue(0)).isEqualTo(Kind.DATA);
    assertThat(Kind.fromWireValue(1)).isEqualTo(Kind.WMB);
    assertThatThrownBy(() -> Kind.fromWireValue(7)).hasMessageContaining("unknown message kind 7");
  }

  @Test
  @DisplayName("errors name the buffer; write results tell stored from not stored")
  void errorsAndResults() {
    var full = new BufferFullException("ns-p-v-0", "usage 0.9 >= 0.8");
    assertThat(full).hasMessage("buffer 'ns-p-v-0': buffer full: usage 0.9 >= 0.8");
    assertThat(full.retryable()).isTrue();
    assertThat(full.buffer()).contains("ns-p-v-0");
    var decode = new MessageDecodeException("b", "5-0", "truncated", null);
    assertThat(decode).hasMessage("buffer 'b': undecodable message at offset 5-0: truncated");
    assertThat(decode.offset()).contains("5-0");
    assertThat(new MessageDecodeException("bad tag", null).buffer()).isEmpty();
    var backend = new IsbBackendException("b", "10077", "maximum messages exceeded", true, null);
    assertThat(backend).hasMessage("buffer 'b': maximum messages exceeded [10077]");
    assertThat(backend.code()).contains("10077");
    assertThat(new BufferNotFoundException("b", null).retryable()).isFalse();
    assertThat(new WriteResult.Dropped(WriteResult.DropReason.BUFFER_FULL).isStored()).isFalse();
    assertThat(new WriteResult.Failed(full, true).isStored()).isFalse();
  }

  @Test
  @DisplayName("a read message needs a delivery count of at least 1")
  void readMessage() {
    Offset offset = new Offset() {
      @Override
      public String buffer() {
        return "b";
      }

      @Override
      public int partition() {
        return 0;
      }

      @Override
      public String sequence() {
        return "1";
      }
    };
    var m = Message.data(new MessageId("v", "1", 0), new byte[0]);
    assertThatThrownBy(() -> new ReadMessage(m, offset, 0)).hasMessage("deliveryCount must be at least 1, was 0");
    assertThat(new ReadMessage(m, offset, 1).deliveryCount()).isEqualTo(1);
    assertThat(Instant.EPOCH).isEqualTo(m.header().eventTime());
  }
}
