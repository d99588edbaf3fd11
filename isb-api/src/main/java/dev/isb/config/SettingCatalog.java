package dev.isb.config;

import dev.isb.config.ConfigValues.BadValue;
import dev.isb.spi.BackendSetting;
import dev.isb.spi.IsbBackend;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Every setting one {@link IsbConfig} can resolve: its own ({@link ConfigSetting}) and those the
 * backends on the class path declare ({@link IsbBackend#settings()}), found with {@link ServiceLoader}
 * as {@code IsbClient.open} finds the backends. Ordered as {@code describe()} lists them: the connection
 * settings every backend shares, then the backends' own, then the rest. Immutable.
 */
final class SettingCatalog {

  private final List<Setting> all;
  private final Map<String, Setting> byKey = new LinkedHashMap<>();

  private SettingCatalog(List<Setting> all) {
    this.all = List.copyOf(all);
    for (Setting s : all) {
      byKey.put(s.key().toLowerCase(Locale.ROOT), s);
    }
  }

  /** The settings of the backends that {@link ServiceLoader} finds now. */
  static SettingCatalog load() {
    var backends = new ArrayList<IsbBackend>();
    ServiceLoader.load(IsbBackend.class).forEach(backends::add);
    return of(backends);
  }

  /**
   * The settings of these backends. A key one of this class's settings has stays this class's; a key
   * several backends declare takes the first one's rule and means something to each of them.
   */
  static SettingCatalog of(List<IsbBackend> backends) {
    var declared = new LinkedHashMap<String, Declared>();
    for (IsbBackend backend : backends) {
      for (BackendSetting s : backend.settings()) {
        String lower = s.key().toLowerCase(Locale.ROOT);
        if (ConfigSetting.byKey(lower).isEmpty()) {
          declared.computeIfAbsent(lower, k -> new Declared(s, new LinkedHashSet<>()))
              .owners().add(backend.name().toLowerCase(Locale.ROOT));
        }
      }
    }
    var all = new ArrayList<Setting>();
    for (ConfigSetting s : ConfigSetting.values()) {
      all.add(s);
      if (s == ConfigSetting.TLS_INSECURE_SKIP_VERIFY) {
        all.addAll(declared.values());
      }
    }
    return new SettingCatalog(all);
  }

  /** Every setting, in the order {@code describe()} lists them. */
  List<Setting> all() {
    return all;
  }

  /** The setting with this key, ignoring case. */
  Optional<Setting> byKey(String key) {
    return Optional.ofNullable(byKey.get(key.toLowerCase(Locale.ROOT)));
  }

  /** The backends' settings that have a default: it is their value unless a source sets another. */
  List<BackendSetting> defaults() {
    var out = new ArrayList<BackendSetting>();
    for (Setting s : all) {
      if (s instanceof Declared d && d.setting().defaultValue().isPresent()) {
        out.add(d.setting());
      }
    }
    return out;
  }

  /** Whether a backend on the class path declares this setting, rather than {@link ConfigSetting}. */
  static boolean declared(Setting s) {
    return s instanceof Declared;
  }

  /**
   * A backend's setting: read as its kind says, then checked by the backend's rule.
   *
   * @param owners the names of the backends that declare it
   */
  private record Declared(BackendSetting setting, Set<String> owners) implements Setting {

    @Override
    public String key() {
      return setting.key();
    }

    @Override
    public boolean secret() {
      return setting.secret();
    }

    @Override
    public boolean addresses() {
      return setting.kind() == BackendSetting.Kind.ADDRESSES;
    }

    @Override
    public boolean file() {
      return setting.kind() == BackendSetting.Kind.FILE;
    }

    @Override
    public Set<String> onlyFor() {
      return Collections.unmodifiableSet(owners);
    }

    @Override
    public Object parse(Object raw) throws BadValue {
      Object value;
      String checked;
      switch (setting.kind()) {
        case TEXT: {
          String t = ConfigSetting.Kind.text(raw).trim();
          if (t.isEmpty()) {
            throw new BadValue("not be empty");
          }
          value = t;
          checked = t;
          break;
        }
        case SECRET:
          value = ConfigSetting.Kind.stripLineEnd(ConfigSetting.Kind.text(raw));
          checked = (String) value;
          break;
        case ADDRESSES: {
          List<String> list = ConfigValues.splitList(ConfigSetting.Kind.text(raw));
          if (list.isEmpty()) {
            throw new BadValue("name at least one address");
          }
          value = List.copyOf(list);
          checked = String.join(",", list);
          break;
        }
        case FILE:
          value = ConfigSetting.Kind.readable(raw);
          checked = value.toString();
          break;
        case WHOLE_NUMBER:
          value = ConfigSetting.Kind.whole(raw);
          checked = value.toString();
          break;
        default:
          throw new AssertionError(setting.kind());
      }
      Optional<String> broken = setting.problem(checked);
      if (broken.isPresent()) {
        throw new BadValue(broken.get());
      }
      return value;
    }
  }
}
