package dev.isb.servers;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A tiny RESP2 exchange over one socket to a server on 127.0.0.1, enough for the test kit to check
 * readiness and inspect nodes without a Redis client library. Replies are {@link String} (simple
 * and bulk strings), {@link Long}, {@link List} (arrays), {@code null} (nil) or {@link ErrorReply}.
 * Not thread-safe: one caller at a time.
 */
public final class RedisWire implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RedisWire(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /**
   * Connects to 127.0.0.1:{@code port}, over TLS when {@code tls} is not null (trusting its CA,
   * without checking the host name: the kit knows whom it dials).
   *
   * @param timeout for the connection and for each reply
   */
  public static RedisWire connect(int port, SSLContext tls, Duration timeout) throws IOException {
    int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    Socket plain = new Socket();
    try {
      plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), millis);
      plain.setSoTimeout(millis);
      if (tls == null) {
        return new RedisWire(plain);
      }
      SSLSocket secure =
          (SSLSocket) tls.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
      secure.setSoTimeout(millis);
      secure.startHandshake();
      return new RedisWire(secure);
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  /** Sends one command and reads its reply. */
  public Object call(String... args) throws IOException {
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (String arg : args) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      request.writeBytes(bytes);
      request.writeBytes(new byte[] {'\r', '\n'});
    }
    out.write(request.toByteArray());
    out.flush();
    return read();
  }

  /** Reads the next reply. */
  Object read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("the server closed the connection");
    }
    String line = readLine();
    switch (type) {
      case '+':
        return line;
      case '-':
        return new ErrorReply(line);
      case ':':
        return Long.parseLong(line);
      case '$':
        {
          int length = Integer.parseInt(line);
          if (length < 0) {
            return null;
          }
          byte[] data = in.readNBytes(length + 2);
          if (data.length < length + 2) {
            throw new EOFException("the server closed the connection inside a bulk string");
          }
          return new String(data, 0, length, StandardCharsets.UTF_8);
        }
      case '*':
        {
          int count = Integer.parseInt(line);
          if (count < 0) {
            return null;
          }
          List<Object> items = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            items.add(read());
          }
          return items;
        }
      default:
        throw new IOException("not a RESP reply: '" + (char) type + line + "'");
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the server closed the connection after '" + line + "'");
      }
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int end =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
      }
      line.write(b);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** An error reply such as {@code NOAUTH Authentication required.}. */
  public record ErrorReply(String message) {
    /** The first word: {@code ERR}, {@code NOAUTH}, {@code MOVED}, … */
    public String code() {
      int space = message.indexOf(' ');
      return space < 0 ? message : message.substring(0, space);
    }

    @Override
    public String toString() {
      return "-" + message;
    }
  }
}
