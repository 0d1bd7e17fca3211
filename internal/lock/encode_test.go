package lock

import (
	"bytes"
	"reflect"
	"testing"
)

// TestEncodeEveryField: the direct encoding writes every field of the lock
// as encoding/json does: a File whose every field is set, by reflection,
// encodes the same both ways. A field added to File, Entry, Module or
// source.Origin and not to encode fails here.
func TestEncodeEveryField(t *testing.T) {
	var f File
	fill(reflect.ValueOf(&f).Elem())
	if got, want := encode(nil, &f), jsonMarshal(t, &f); !bytes.Equal(got, want) {
		t.Errorf("encode:\n%s\nencoding/json:\n%s", got, want)
	}
}

// fill sets every exported field of v: strings to their field's name,
// ints to 1, lists to one element, filled.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
				if v.Field(i).Kind() == reflect.String && v.Field(i).String() == "" {
					v.Field(i).SetString(v.Type().Field(i).Name)
				}
			}
		}
	case reflect.String:
		v.SetString("s")
	case reflect.Int:
		v.SetInt(1)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0))
		v.Set(s)
	}
}
