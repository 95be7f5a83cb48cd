"""Go's layout rules as the Go oracle (tests/oracle/go_objective.py) and the
fieldalignment comparison (scripts/go-fieldalignment.py) check structfit
against: a Go function measuring the runtime's pointer bytes by reflection,
and the size and pointer bytes of a field order computed from field facts."""

_PTRDATA = '''
func ptrdata(t reflect.Type) uintptr {
	switch t.Kind() {
	case reflect.Ptr, reflect.Map, reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.String, reflect.Slice:
		return unsafe.Sizeof(uintptr(0))
	case reflect.Interface:
		return 2 * unsafe.Sizeof(uintptr(0))
	case reflect.Array:
		if t.Len() == 0 || ptrdata(t.Elem()) == 0 {
			return 0
		}
		return uintptr(t.Len()-1)*t.Elem().Size() + ptrdata(t.Elem())
	case reflect.Struct:
		var end uintptr
		for i := 0; i < t.NumField(); i++ {
			if p := ptrdata(t.Field(i).Type); p > 0 {
				end = t.Field(i).Offset + p
			}
		}
		return end
	}
	return 0
}
'''


def ptrdata_func(name="ptrdata"):
    """Go source of `func NAME(t reflect.Type) uintptr`: the bytes of a value of
    t up to the end of its last pointer-holding word, the runtime's ptrdata
    (the file must import reflect and unsafe)."""
    return _PTRDATA.replace("ptrdata", name)


def measure(fields, order):
    """Size and pointer bytes of `fields` ((size, align, ptrdata) each) laid
    out in `order` by Go's rules: a trailing zero-size field gets a byte so
    its address stays inside the object."""
    at = ptr = 0
    align = max([a for _, a, _ in fields] + [1])
    for i in order:
        size, a, p = fields[i]
        at = (at + a - 1) // a * a
        if p:
            ptr = at + p
        at += size
    if order and fields[order[-1]][0] == 0 and at > 0:
        at += 1
    return (at + align - 1) // align * align, ptr
