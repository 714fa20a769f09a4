import WardClient
import WardTerm

/// Revoking the profile-sharing consent from the patient record, at the patient's request:
/// after a confirmation the database hides the profile from this clinic again, and the
/// screen goes back to the search (where the patient is no longer found).
extension PatientRecordScreen {
    static let revokeReason = "at the patient's request"

    func revokeConsent(_ ui: UI) {
        guard let p = profile else { return }
        ui.confirm(title: "Revoke consent",
                   message: "At the patient's request, stop sharing \(p.givenName) \(p.familyName)'s profile with this "
                       + "clinic? The record is hidden here until the patient signs consent again.",
                   yesLabel: "Revoke",
                   onYes: { [weak self] ui in
                       guard let self else { return }
                       app.backend.run(Api.revokeConsent(patient: patient, reason: Self.revokeReason), for: self,
                                       busy: "Revoking") { result in
                           guard case .success = result else { return }
                           ui.pop(until: { $0 is PatientSearchScreen || $0 is MenuScreen })
                           // The list still shows the patient: search again (an audited
                           // search, so only here, not on every return).
                           (ui.top as? PatientSearchScreen)?.typing.changed(ui)
                           ui.show("Consent revoked: the profile is hidden from this clinic.", kind: .success)
                       }
                   })
    }
}
