package plug

import (
	"encoding"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

var (
	durationType        = reflect.TypeFor[time.Duration]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// checkSettings reports the first settings value, in key order, whose type
// is not one of the settings value types, or a Ref (the whole value of a
// setting) that is not valid.
func checkSettings(settings map[string]any) error {
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		if err := checkValue(joinKey("", k), settings[k], true); err != nil {
			return err
		}
	}
	return nil
}

// checkValue checks the settings value v at path; top says v is the whole
// value of a setting, which may be a Ref.
func checkValue(path string, v any, top bool) error {
	switch v := v.(type) {
	case nil, bool, int64, float64, string:
		return nil
	case Ref:
		if !top {
			return fmt.Errorf("setting %q: a plug.Ref can only be the whole value of a setting", path)
		}
		return v.check(path)
	case []any:
		for i, e := range v {
			if err := checkValue(joinIndex(path, i), e, false); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if err := checkValue(joinKey(path, k), v[k], false); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("setting %q: unsupported value of type %T (want nil, bool, int64, float64, string, []any or map[string]any)", path, v)
	}
}

// copySettings returns a deep copy of settings; nil stays nil.
func copySettings(settings map[string]any) map[string]any {
	if settings == nil {
		return nil
	}
	return copyValue(settings).(map[string]any)
}

// copyValue returns a deep copy of a settings value.
func copyValue(v any) any {
	switch v := v.(type) {
	case Ref:
		v.Default = copyValue(v.Default)
		return v
	case []any:
		if v == nil {
			return v
		}
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = copyValue(e)
		}
		return out
	case map[string]any:
		if v == nil {
			return v
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = copyValue(e)
		}
		return out
	default:
		return v
	}
}

// joinKey returns the path of key inside the value at path: "a.b" for plain
// keys, a["x.y"] for keys that would be ambiguous after a dot.
func joinKey(path, key string) string {
	if !plainKey(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func plainKey(key string) bool {
	if key == "" {
		return false
	}
	for _, c := range []byte(key) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func joinIndex(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// describe names a settings value for an error message: its kind as the
// plug config shows it, and, for scalars, the value.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool " + strconv.FormatBool(v)
	case int64:
		return "int " + strconv.FormatInt(v, 10)
	case float64:
		return "float " + strconv.FormatFloat(v, 'g', -1, 64)
	case string:
		return "string " + quoteShort(v)
	case []any:
		return "list"
	case map[string]any:
		return "map"
	case Ref:
		return "reference " + v.String()
	default:
		return fmt.Sprintf("%T", v)
	}
}

// quoteShort quotes s for an error message, shortened to about 64 bytes.
// Quoting escapes control and bidirectional characters and invalid UTF-8,
// so a setting cannot garble the terminal that shows the error.
func quoteShort(s string) string {
	const limit = 64
	if len(s) <= limit {
		return strconv.Quote(s)
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "... (" + strconv.Itoa(len(s)) + " bytes)"
}

// decoder decodes settings values into Go values, collecting problems
// rather than stopping at the first.
type decoder struct {
	problems []string
}

func (d *decoder) fail(path, format string, args ...any) {
	d.problems = append(d.problems, fmt.Sprintf("setting %q: ", path)+fmt.Sprintf(format, args...))
}

// value decodes in, a settings value, into out, which is settable.
func (d *decoder) value(path string, in any, out reflect.Value) {
	t := out.Type()
	if in == nil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
			out.SetZero()
		}
		return
	}
	if t.Kind() == reflect.Pointer {
		if out.IsNil() {
			out.Set(reflect.New(t.Elem()))
		}
		d.value(path, in, out.Elem())
		return
	}
	if t == durationType {
		s, ok := in.(string)
		if !ok {
			d.fail(path, "want duration like \"1.5s\", got %s", describe(in))
			return
		}
		dur, err := time.ParseDuration(s)
		if err != nil {
			d.fail(path, "%v", err)
			return
		}
		out.SetInt(int64(dur))
		return
	}
	if t.Kind() != reflect.Interface && reflect.PointerTo(t).Implements(textUnmarshalerType) {
		s, ok := in.(string)
		if !ok {
			d.fail(path, "want string for %s, got %s", t, describe(in))
			return
		}
		if err := out.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			d.fail(path, "cannot decode %s as %s: %v", describe(in), t, err)
		}
		return
	}

	switch t.Kind() {
	case reflect.Interface:
		v := reflect.ValueOf(copyValue(in))
		if !v.Type().AssignableTo(t) {
			d.fail(path, "want %s, got %s", t, describe(in))
			return
		}
		out.Set(v)

	case reflect.Bool:
		b, ok := in.(bool)
		if !ok {
			d.fail(path, "want bool, got %s", describe(in))
			return
		}
		out.SetBool(b)

	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := in.(int64)
		if !ok {
			d.fail(path, "want %s, got %s", t.Kind(), describe(in))
			return
		}
		if out.OverflowInt(n) {
			bits := t.Bits()
			d.fail(path, "want %s (%d to %d), got %s", t.Kind(), int64(-1)<<(bits-1), int64(1)<<(bits-1)-1, describe(in))
			return
		}
		out.SetInt(n)

	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := in.(int64)
		if !ok {
			d.fail(path, "want %s, got %s", t.Kind(), describe(in))
			return
		}
		if n < 0 || out.OverflowUint(uint64(n)) {
			d.fail(path, "want %s (0 to %d), got %s", t.Kind(), ^uint64(0)>>(64-t.Bits()), describe(in))
			return
		}
		out.SetUint(uint64(n))

	case reflect.Float32, reflect.Float64:
		var f float64
		switch x := in.(type) {
		case float64:
			f = x
		case int64:
			f = float64(x)
		default:
			d.fail(path, "want %s, got %s", t.Kind(), describe(in))
			return
		}
		if out.OverflowFloat(f) {
			d.fail(path, "want %s (at most ±%g), got %s", t.Kind(), math.MaxFloat32, describe(in))
			return
		}
		out.SetFloat(f)

	case reflect.String:
		s, ok := in.(string)
		if !ok {
			d.fail(path, "want string, got %s", describe(in))
			return
		}
		out.SetString(s)

	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			if s, ok := in.(string); ok {
				out.SetBytes([]byte(s))
				return
			}
		}
		list, ok := in.([]any)
		if !ok {
			want := "list"
			if t.Elem().Kind() == reflect.Uint8 {
				want = "string or list"
			}
			d.fail(path, "want %s, got %s", want, describe(in))
			return
		}
		s := reflect.MakeSlice(t, len(list), len(list))
		for i, e := range list {
			d.value(joinIndex(path, i), e, s.Index(i))
		}
		out.Set(s)

	case reflect.Array:
		list, ok := in.([]any)
		if !ok {
			d.fail(path, "want list of %s, got %s", items(t.Len()), describe(in))
			return
		}
		if len(list) != t.Len() {
			d.fail(path, "want list of %s, got list of %s", items(t.Len()), items(len(list)))
			return
		}
		for i, e := range list {
			d.value(joinIndex(path, i), e, out.Index(i))
		}

	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			d.fail(path, "cannot decode into %s: map keys must be strings", t)
			return
		}
		m, ok := in.(map[string]any)
		if !ok {
			d.fail(path, "want map, got %s", describe(in))
			return
		}
		mv := reflect.MakeMapWithSize(t, len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			ev := reflect.New(t.Elem()).Elem()
			d.value(joinKey(path, k), m[k], ev)
			mv.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
		out.Set(mv)

	case reflect.Struct:
		m, ok := in.(map[string]any)
		if !ok {
			d.fail(path, "want map, got %s", describe(in))
			return
		}
		d.structValue(path, m, out)

	default:
		d.fail(path, "cannot decode into %s", t)
	}
}

func items(n int) string {
	if n == 1 {
		return "1 item"
	}
	return strconv.Itoa(n) + " items"
}

// structValue decodes m into the fields of the struct out.
func (d *decoder) structValue(path string, m map[string]any, out reflect.Value) {
	fields := cachedFields(out.Type())
	setBy := make(map[*field]string)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		key := joinKey(path, k)
		f := fields.lookup(k)
		if f == nil {
			known := "none"
			if len(fields.names) > 0 {
				known = strings.Join(fields.names, ", ")
			}
			d.problems = append(d.problems, fmt.Sprintf("unknown setting %q (known: %s)", key, known))
			continue
		}
		if other, dup := setBy[f]; dup {
			d.fail(key, "sets the same field as %q", other)
			continue
		}
		setBy[f] = key
		d.value(key, m[k], fieldByIndex(out, f.index))
	}
}

// fieldByIndex returns the field of v at index, allocating the embedded
// struct pointers on the way.
func fieldByIndex(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// field is a settable struct field, possibly promoted from an embedded
// struct.
type field struct {
	name   string // the json tag's name, else the Go name
	index  []int
	tagged bool
}

// structFields holds the settable fields of a struct type.
type structFields struct {
	list  []*field // in field order
	names []string // sorted, for error messages
}

// lookup finds the field named key, preferring an exact match to one that
// differs in case, as encoding/json does.
func (s *structFields) lookup(key string) *field {
	for _, f := range s.list {
		if f.name == key {
			return f
		}
	}
	for _, f := range s.list {
		if strings.EqualFold(f.name, key) {
			return f
		}
	}
	return nil
}

var fieldCache sync.Map // reflect.Type -> *structFields

func cachedFields(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	f, _ := fieldCache.LoadOrStore(t, typeFields(t))
	return f.(*structFields)
}

// typeFields lists the fields of t that settings can set, following the
// rules of encoding/json: embedded structs without a name in their tag have
// their fields promoted; of several fields with one name, the shallowest
// wins, a tagged one beats untagged ones at the same depth, and a tie hides
// them all.
func typeFields(t reflect.Type) *structFields {
	type level struct {
		t     reflect.Type
		index []int
	}
	var all []*field
	visited := map[reflect.Type]bool{}
	next := []level{{t: t}}
	for len(next) > 0 {
		current := next
		next = nil
		for _, l := range current {
			if visited[l.t] {
				continue
			}
			visited[l.t] = true
			for i := range l.t.NumField() {
				sf := l.t.Field(i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if sf.Anonymous {
					// An unexported embedded struct still promotes its
					// exported fields, but a nil pointer to one cannot be
					// allocated.
					if !sf.IsExported() && (ft.Kind() != reflect.Struct || sf.Type.Kind() == reflect.Pointer) {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, _, _ := strings.Cut(tag, ",")
				index := append(slices.Clone(l.index), i)
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					next = append(next, level{t: ft, index: index})
					continue
				}
				f := &field{name: name, index: index, tagged: name != ""}
				if name == "" {
					f.name = sf.Name
				}
				all = append(all, f)
			}
		}
	}

	byName := map[string][]*field{}
	for _, f := range all {
		byName[f.name] = append(byName[f.name], f)
	}
	var s structFields
	for _, f := range all {
		if dominant(byName[f.name]) == f {
			s.list = append(s.list, f)
			s.names = append(s.names, f.name)
		}
	}
	slices.SortFunc(s.list, func(a, b *field) int { return slices.Compare(a.index, b.index) })
	slices.Sort(s.names)
	return &s
}

// dominant picks the field that a name refers to among fields sharing it,
// listed shallowest first, or nil when the name is ambiguous.
func dominant(fields []*field) *field {
	depth := len(fields[0].index)
	var best *field
	n := 0
	for _, f := range fields {
		if len(f.index) > depth {
			break
		}
		switch {
		case best == nil || f.tagged && !best.tagged:
			best, n = f, 1
		case f.tagged == best.tagged:
			n++
		}
	}
	if n > 1 {
		return nil
	}
	return best
}
