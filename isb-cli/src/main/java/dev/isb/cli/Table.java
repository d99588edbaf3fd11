package dev.isb.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A plain-text table, columns two spaces apart; numbers read best right-aligned, names left-aligned. */
final class Table {

  private final List<String[]> rows = new ArrayList<>();
  private final Set<Integer> rightAligned;

  /**
   * @param headers the column headings
   * @param rightAligned the indexes of the columns to align right
   */
  Table(List<String> headers, Set<Integer> rightAligned) {
    rows.add(headers.toArray(String[]::new));
    this.rightAligned = Set.copyOf(rightAligned);
  }

  void row(String... cells) {
    if (cells.length != rows.get(0).length) {
      throw new IllegalArgumentException("a row must have " + rows.get(0).length + " cells, had " + cells.length);
    }
    rows.add(cells.clone());
  }

  @Override
  public String toString() {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    var out = new StringBuilder();
    for (String[] row : rows) {
      var line = new StringBuilder();
      for (int c = 0; c < row.length; c++) {
        String pad = " ".repeat(widths[c] - row[c].length());
        line.append(c == 0 ? "" : "  ").append(rightAligned.contains(c) ? pad + row[c] : row[c] + pad);
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }
}
