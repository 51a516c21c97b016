package sqlite

import (
	"reflect"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// keptTestVersion returns version i of text 7, current or not.
func keptTestVersion(i int, current bool) livespec.Version {
	v := livespec.Version{ID: "v" + strconv.Itoa(i), Key: livespec.Key{Repo: "r", Path: "keps/sig-x/" + strconv.Itoa(i) + "/README.md",
		Heading: "Design Details > Test Plan", Part: i % 3}, Level: 3, Commit: "c" + strconv.Itoa(i), Seq: int64(i + 1),
		ValidFrom: time.Unix(1_700_000_000+int64(i), 5).UTC(), Author: "Ann Ö"}
	if !current {
		v.EndCommit, v.EndSeq, v.ValidTo = "e"+strconv.Itoa(i), int64(i+2), time.Unix(1_800_000_000+int64(i), 0).UTC()
	}
	return v
}

func TestKeptVersionsGiveBackWhatWasRead(t *testing.T) {
	withLinks := keptTestVersion(2, true)
	withLinks.Links = []string{"keps/a.md", "keps/b.md"}
	preamble := keptTestVersion(3, false)
	preamble.Heading, preamble.Author = "", ""
	tests := []struct {
		name string
		vs   []livespec.Version
	}{
		{"one current version", []livespec.Version{keptTestVersion(1, true)}},
		{"an ended and a current version", []livespec.Version{keptTestVersion(1, false), keptTestVersion(1, true)}},
		{"one version with links among others", []livespec.Version{keptTestVersion(1, false), withLinks, keptTestVersion(4, true)}},
		{"empty strings", []livespec.Version{preamble}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			read := make([]readVersion, len(tt.vs))
			for i, v := range tt.vs {
				read[i] = readVersion{textID: 7, rid: int64(100 + i), v: v}
			}
			kept := newKeptVersions(read, inOrder(len(read)))
			for i, want := range tt.vs {
				if got := kept.version(i); !reflect.DeepEqual(got, want) {
					t.Errorf("version %d = %+v, want %+v", i, got, want)
				}
				r := refOf(kept, i)
				if r.rid != int64(100+i) || r.textID != 7 || r.id != want.ID || r.repo != want.Repo || r.path != want.Path ||
					r.heading != want.Heading || r.part != want.Part {
					t.Errorf("ref %d = %+v, want the version's", i, r)
				}
				if k := &kept.vs[i]; k.open != want.Current() || k.ends != !want.ValidTo.IsZero() {
					t.Errorf("version %d: open %v, ends %v; want %v, %v", i, k.open, k.ends, want.Current(), !want.ValidTo.IsZero())
				}
			}
		})
	}
}

// TestKeptVersionsAreCheapToScan keeps the versions of many texts and
// checks what they add to the heap a collection scans: a server keeps
// them for its whole life, and every collection pays for what it scans.
func TestKeptVersionsAreCheapToScan(t *testing.T) {
	const texts, perText = 1000, 20
	before := scannable()
	kept := make([]*keptVersions, texts)
	for i := range kept {
		read := make([]readVersion, perText)
		for j := range read {
			read[j] = readVersion{textID: int64(i), rid: int64(i*perText + j), v: keptTestVersion(j, j == perText-1)}
		}
		kept[i] = newKeptVersions(read, inOrder(perText))
	}
	grew := int64(scannable()) - int64(before)
	if perVersion := grew / (texts * perText); perVersion > 16 {
		t.Errorf("the kept versions add %d bytes a version to the scanned heap, want at most 16", perVersion)
	}
	runtime.KeepAlive(kept)
}

// scannable returns the bytes of heap a collection scans, after one.
func scannable() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/scan/heap:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// inOrder returns 0, 1, ..., n-1.
func inOrder(n int) []int32 {
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	return order
}
