package identity

import "testing"

func TestRole_Questions(t *testing.T) {
	cases := []struct {
		role                                   Role
		admin, office, seesCosts, portal, seat bool
		article                                string
	}{
		{RoleAdmin, true, true, true, false, true, "an admin"},
		{RoleCoWorker, false, true, false, false, true, "a co-worker"},
		{RoleSubcontractor, false, false, false, false, true, "a subcontractor"},
		{RoleClient, false, false, false, true, true, "a Job Share Plus client user"},
		{RoleGuest, false, false, false, false, false, "a guest"},
	}
	for _, c := range cases {
		t.Run(string(c.role), func(t *testing.T) {
			r := c.role
			if r.IsAdmin() != c.admin || r.IsOffice() != c.office || r.SeesCosts() != c.seesCosts ||
				r.UsesPortal() != c.portal || r.UsesSeat() != c.seat || r.WithArticle() != c.article {
				t.Errorf("%s: IsAdmin %v IsOffice %v SeesCosts %v UsesPortal %v UsesSeat %v WithArticle %q", r,
					r.IsAdmin(), r.IsOffice(), r.SeesCosts(), r.UsesPortal(), r.UsesSeat(), r.WithArticle())
			}
		})
	}
}
