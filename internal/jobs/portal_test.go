package jobs

import (
	"testing"

	"fieldops/internal/identity"
)

func TestJob_MarksSeen(t *testing.T) {
	cases := []struct {
		name string
		job  Job
		role identity.Role
		want bool
	}{
		{"an admin opening an unseen portal job", Job{Source: "portal"}, identity.RoleAdmin, true},
		{"a co-worker opening an unseen portal job", Job{Source: "portal"}, identity.RoleCoWorker, true},
		{"a portal job already seen", Job{Source: "portal", Seen: true}, identity.RoleAdmin, false},
		{"an office job (seen when made)", Job{Source: "office", Seen: true}, identity.RoleAdmin, false},
		{"an office job the client answered on", Job{Source: "office"}, identity.RoleAdmin, true},
		{"the client user who raised it", Job{Source: "portal"}, identity.RoleClient, false},
		{"a subcontractor", Job{Source: "portal"}, identity.RoleSubcontractor, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.job.MarksSeen(c.role); got != c.want {
				t.Errorf("MarksSeen = %v, want %v", got, c.want)
			}
		})
	}
}

func TestForClient(t *testing.T) {
	lines := []Line{{Description: "Valve", QuantityMilli: 2000, UnitCostCents: 900, UnitPriceCents: 1500}}
	with := ForClient(lines, identity.Permissions{ViewPrices: true})
	if with[0].UnitCostCents != 0 || with[0].UnitPriceCents != 1500 || with[0].TotalCents() != 3000 {
		t.Errorf("with View sale price = %+v, want no cost and the sale price", with[0])
	}
	without := ForClient(lines, identity.Permissions{})
	if without[0].UnitCostCents != 0 || without[0].UnitPriceCents != 0 || without[0].Description != "Valve" {
		t.Errorf("without View sale price = %+v, want neither cost nor price", without[0])
	}
	if lines[0].UnitCostCents != 900 {
		t.Error("ForClient changed the lines it was given")
	}
}

func TestFormOf(t *testing.T) {
	site := int64(7)
	if f := FormOf(Job{Title: "A", ClientID: 3, SiteID: &site, Address: "1 Site St"}); f.SiteID != 7 || f.Address != "" || f.ClientID != 3 {
		t.Errorf("FormOf a job at a site = %+v, want the site and no free address", f)
	}
	if f := FormOf(Job{Title: "B", Address: "2 Free Rd"}); f.SiteID != 0 || f.Address != "2 Free Rd" {
		t.Errorf("FormOf a job at an address = %+v, want the address", f)
	}
}
