package dev.isb.examples;

import java.util.ArrayList;
import java.util.List;

/**
 * The demo's data, all derived from an order number so that the sink can check every item it receives
 * against what the source must have sent.
 *
 * <p>An order line is {@code order-<n>;<customer>;<sku>:<quantity>:<unit price in cents>,...} with one
 * to three items; some items have quantity 0 (voided) and are filtered out by the parse vertex. A
 * parsed item is {@code order-<n>/<item>;<customer>;<sku>;<quantity>;<total in cents>;<category>},
 * keyed by customer, tagged {@code large} when its total is at least {@value #LARGE_CENTS} cents.
 */
final class Orders {

  static final long LARGE_CENTS = 20_000;
  static final String LARGE = "large";
  private static final String[] SKUS = {"apple", "banana", "cherry", "damson", "elder", "fig", "grape"};
  private static final int CUSTOMERS = 17;

  private Orders() {}

  /** One item of an order as the source writes it. */
  record Item(String sku, int quantity, long unitCents) {}

  /** One parsed, enriched item as the sink receives it. */
  record Parsed(long order, int index, String customer, String sku, int quantity, long totalCents, String category) {

    String id() {
      return "order-" + order + "/" + index;
    }

    String encode() {
      return id() + ";" + customer + ";" + sku + ";" + quantity + ";" + totalCents + ";" + category;
    }

    static Parsed decode(String text) {
      String[] f = text.split(";", -1);
      if (f.length != 6 || !f[0].startsWith("order-") || !f[0].contains("/")) {
        throw new IllegalArgumentException("not a parsed item: '" + text + "'");
      }
      String[] id = f[0].substring("order-".length()).split("/", 2);
      return new Parsed(Long.parseLong(id[0]), Integer.parseInt(id[1]), f[1], f[2], Integer.parseInt(f[3]),
          Long.parseLong(f[4]), f[5]);
    }
  }

  static String customer(long order) {
    return "customer-" + (order % CUSTOMERS);
  }

  static List<Item> items(long order) {
    List<Item> items = new ArrayList<>();
    int count = 1 + (int) (order % 3);
    for (int j = 0; j < count; j++) {
      long seed = order + j;
      int quantity = seed % 10 == 3 ? 0 : 1 + (int) (seed % 4);
      long unitCents = 150 + (order * 31 + j * 7L) % 10_000;
      items.add(new Item(SKUS[(int) (seed % SKUS.length)], quantity, unitCents));
    }
    return items;
  }

  /** The order line the source writes. */
  static String line(long order) {
    StringBuilder line = new StringBuilder("order-").append(order).append(';').append(customer(order)).append(';');
    List<Item> items = items(order);
    for (int j = 0; j < items.size(); j++) {
      Item item = items.get(j);
      line.append(j == 0 ? "" : ",").append(item.sku()).append(':').append(item.quantity()).append(':')
          .append(item.unitCents());
    }
    return line.toString();
  }

  /** What the parse vertex makes of an order line: its items that are not voided, enriched. */
  static List<Parsed> parse(String line) {
    String[] fields = line.split(";", -1);
    if (fields.length != 3 || !fields[0].startsWith("order-")) {
      throw new IllegalArgumentException("not an order line: '" + line + "'");
    }
    long order = Long.parseLong(fields[0].substring("order-".length()));
    List<Parsed> parsed = new ArrayList<>();
    String[] items = fields[2].split(",");
    for (int j = 0; j < items.length; j++) {
      String[] item = items[j].split(":");
      int quantity = Integer.parseInt(item[1]);
      if (quantity == 0) {
        continue;
      }
      long total = quantity * Long.parseLong(item[2]);
      parsed.add(new Parsed(order, j, fields[1], item[0], quantity, total,
          total >= LARGE_CENTS ? LARGE : "regular"));
    }
    return parsed;
  }

  /** The items the sink must receive for this order: the source's items, parsed by the rules above. */
  static List<Parsed> expected(long order) {
    return parse(line(order));
  }
}
