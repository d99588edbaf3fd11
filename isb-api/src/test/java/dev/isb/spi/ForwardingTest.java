package dev.isb.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.ReaderOptions;
import dev.isb.WriterOptions;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every call of the interface reaches the delegate, with the same arguments and its answer returned:
 * a method added to the interface and not forwarded fails here. The convenience overloads reach the
 * delegate through the call they stand for.
 */
class ForwardingTest {

  /** Convenience overloads, and the call the delegate gets for them. */
  private static final Map<String, String> THROUGH = Map.of(
      "ack(Offset)", "ack(Collection)",
      "nak(Collection)", "nak(Collection,Duration)",
      "write(Message)", "write(List)",
      "writer(String)", "writer(String,WriterOptions)");

  static Stream<Arguments> calls() {
    List<Arguments> calls = new ArrayList<>();
    add(calls, BufferReader.class, d -> new ForwardingBufferReader(d) { });
    add(calls, BufferWriter.class, d -> new ForwardingBufferWriter(d) { });
    add(calls, IsbClient.class, d -> new ForwardingIsbClient(d) { });
    return calls.stream();
  }

  private static <T> void add(List<Arguments> calls, Class<T> type, Function<T, T> forwarding) {
    for (Method method : type.getMethods()) {
      if (!Modifier.isStatic(method.getModifiers())) {
        calls.add(Arguments.of(type.getSimpleName() + "." + signature(method), type, forwarding, method));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("calls")
  <T> void reachesTheDelegate(String call, Class<T> type, Function<T, T> forwarding, Method method) throws Exception {
    var received = new ArrayList<String>();
    var arguments = new ArrayList<List<Object>>();
    var answers = new ArrayList<Object>();
    T delegate = type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, m, args) -> {
      received.add(signature(m));
      arguments.add(args == null ? List.of() : Arrays.asList(args));
      Object answer = valueOf(m.getReturnType());
      answers.add(answer);
      return answer;
    }));
    Object[] args = Arrays.stream(method.getParameterTypes()).map(ForwardingTest::valueOf).toArray();

    Object returned;
    try {
      returned = method.invoke(forwarding.apply(delegate), args);
    } catch (InvocationTargetException e) {
      throw new AssertionError(call + " threw", e.getCause());
    }

    String expected = THROUGH.getOrDefault(signature(method), signature(method));
    assertThat(received).as("the delegate's calls").containsExactly(expected);
    if (expected.equals(signature(method))) {
      assertThat(arguments.get(0)).as("the arguments, the very same").hasSize(args.length)
          .zipSatisfy(Arrays.asList(args), (given, passed) -> assertThat(given).isSameAs(passed));
      if (method.getReturnType().isPrimitive()) {
        assertThat(returned).as("the delegate's answer").isEqualTo(answers.get(0));
      } else {
        assertThat(returned).as("the delegate's answer, the very same").isSameAs(answers.get(0));
      }
    }
  }

  private static String signature(Method method) {
    return method.getName() + "(" + String.join(",",
        Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).toList()) + ")";
  }

  /**
   * A new value of a parameter or return type, distinct from any other, so that a forwarder passing or
   * returning another one is caught; an interface gets a stand-in that answers nothing.
   */
  private static Object valueOf(Class<?> type) {
    if (type == void.class) {
      return null;
    }
    if (type == boolean.class) {
      return true;
    }
    if (type == int.class) {
      return 7;
    }
    if (type == long.class) {
      return 11L;
    }
    if (type == String.class) {
      return new String("b-0");
    }
    if (type == Duration.class) {
      return Duration.ofMillis(3);
    }
    if (type == OptionalLong.class) {
      return OptionalLong.of(5);
    }
    if (type == WriterOptions.class) {
      return WriterOptions.defaults().toBuilder().build();
    }
    if (type == ReaderOptions.class) {
      return ReaderOptions.defaults().toBuilder().build();
    }
    if (type == Message.class) {
      return Message.data(new MessageId("v", "1", 0), new byte[0]);
    }
    if (type == CompletionStage.class) {
      return new CompletableFuture<>();
    }
    if (type == List.class || type == Collection.class) {
      // One element, so that write(Message) can take the first result.
      return new ArrayList<>(Collections.singletonList(null));
    }
    if (type.isInterface()) {
      return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, m, args) -> null);
    }
    throw new AssertionError("no value for " + type + ": a new parameter type needs one here");
  }
}
