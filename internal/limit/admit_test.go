package limit_test

import (
	"context"
	"testing"
	"time"

	"github.com/livespec/livespec/internal/limit"
)

func TestAdmissionTakesTheSlotsOfItsWeight(t *testing.T) {
	tests := []struct {
		name             string
		heavyLimiter     bool
		heavy            bool
		wantLight, wantH int // slots taken after Admit
		wantUrgent       int // light holders at the gate
	}{
		{"light answer", true, false, 1, 0, 1},
		{"heavy answer", true, true, 0, 1, 0},
		{"heavy answer without heavy slots", false, true, 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := limit.Admission{Light: limit.New(1, 0), Gate: limit.NewGate(2)}
			h := limit.New(1, 0)
			if tt.heavyLimiter {
				a.Heavy = h
			}
			release, _, err := a.Admit(t.Context(), tt.heavy)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Light.InFlight(); got != tt.wantLight {
				t.Errorf("light slots taken = %d, want %d", got, tt.wantLight)
			}
			if got := h.InFlight(); got != tt.wantH {
				t.Errorf("heavy slots taken = %d, want %d", got, tt.wantH)
			}
			if u, o := a.Gate.Running(); u != tt.wantUrgent || u+o != 1 {
				t.Errorf("at the gate: %d light, %d heavy; want %d light of 1", u, o, tt.wantUrgent)
			}
			release()
			release()
			if a.Light.InFlight()+h.InFlight() != 0 {
				t.Error("release left a slot taken")
			}
			if u, o := a.Gate.Running(); u+o != 0 {
				t.Error("release left a place at the gate")
			}
		})
	}
}

func TestAdmissionReportsItsWaits(t *testing.T) {
	a := limit.Admission{Light: limit.New(1, 1), Gate: limit.NewGate(1)}
	holdGate, err := a.Gate.Enter(t.Context(), true)
	if err != nil {
		t.Fatal(err)
	}
	holdSlot, _, err := limit.Admission{Light: a.Light}.Admit(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(30*time.Millisecond, holdSlot)
	time.AfterFunc(60*time.Millisecond, holdGate)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	release, w, err := a.Admit(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if w.Queue < 25*time.Millisecond || w.Gate < 25*time.Millisecond {
		t.Fatalf("waits = %+v, want about 30ms for the slot and 30ms more for the gate", w)
	}
}
