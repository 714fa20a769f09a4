import WardClient
import Foundation
import WardDB
import WardTerm

/// The patient's profile-sharing consent: the text (api.consent_text), the patient types
/// their full name as signature, the staff member confirms, and the database stores the
/// signature with the text's version and hash. For a new patient the profile is created in
/// the same transaction; for a profile found elsewhere the short-lived handle is used. The
/// record then opens.
final class ConsentScreen: Screen {
    static let scope = ActionScope.screen("consent")
    static let list: [Action] = [
        // Not Enter: the patient types here, and must not confirm for the staff by pressing
        // Enter twice (the dialog takes Enter as yes).
        Action(.sign, keys: [.function(2)], label: "Sign",
               help: "The patient has typed their name: confirm, and save the consent", scope: scope),
        Action(.back, keys: [.escape], label: "Back", help: "Back without signing (the signature typed is kept)",
               scope: scope),
    ]
    var title: String { "Consent" }
    var actions: [Action] { Self.list }

    /// Whose consent this is.
    enum Purpose: Equatable {
        /// A new patient: the profile is created with the consent.
        case register(Api.NewPatient)
        /// A profile registered at another clinic, found by exact identifiers.
        case portable(Api.PortableMatch)
    }

    unowned let app: StaffApp
    var purpose: Purpose?
    /// Offered a refusal about a field of the screen below (the registration form); true
    /// if that screen took it, and then this one steps back to it.
    var onFieldError: ((UserError) -> Bool)?
    let signature = TextField(maxLength: 200)
    var signatureError: String?
    var text: Api.ConsentText?
    var saving = false
    /// The ids of the last save sent, with what it carried: saving the same again
    /// (after a lost connection or a failover) reuses them, so a save whose answer was lost
    /// finds what it registered instead of registering the patient twice.
    private(set) var lastSave: (patient: UUID, consent: UUID, signature: String, purpose: Purpose)?

    init(app: StaffApp, purpose: Purpose? = nil) {
        self.app = app
        self.purpose = purpose
    }

    func didAppear(ui: UI) {
        guard text == nil else { return }
        app.backend.run(Api.consentText, for: self) { [weak self] result in
            switch result {
            case .success(let t?): self?.text = t
            case .success(nil): ui.show("No consent text is set up on this platform.", kind: .error)
            case .failure: break
            }
        }
    }

    func handleKey(_ key: Key, ui: UI) -> Bool {
        guard signature.handle(key) else { return false }
        signatureError = nil
        return true
    }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .sign:
            sign(ui)
            return true
        default:
            return false
        }
    }

    /// The typed signature, or nil with the reason shown beside the field.
    func checkedSignature() -> String? {
        let s = signature.text.trimmingCharacters(in: .whitespaces)
        if s.isEmpty {
            signatureError = "The patient must type their full name as signature."
            return nil
        }
        return s
    }

    func sign(_ ui: UI) {
        guard !saving, purpose != nil else { return }
        guard let text else {
            ui.show("The consent text is still loading.", kind: .warning)
            return
        }
        guard let sig = checkedSignature() else {
            ui.show(signatureError ?? "", kind: .error)
            return
        }
        ui.confirm(title: "Confirm consent",
                   message: "Confirm that the patient read the text and typed “\(sig)” themselves. "
                       + "Their profile is then shared with \(app.me?.clinicName ?? "this clinic").",
                   yesLabel: "Confirm",
                   onYes: { [weak self] ui in self?.submit(sig, version: text.version, ui) })
    }

    func submit(_ sig: String, version: String, _ ui: UI) {
        guard let purpose else { return }
        let request: Request<Api.Charted>
        let ids = lastSave.flatMap { $0.signature == sig && $0.purpose == purpose ? $0 : nil }
            ?? (patient: UUID(), consent: UUID(), signature: sig, purpose: purpose)
        lastSave = ids
        do {
            switch purpose {
            case .register(let p):
                request = try Api.registerPatient(p, signature: sig, textVersion: version, patient: ids.patient,
                                                  consent: ids.consent, sealer: app.sealer)
            case .portable(let m):
                request = try Api.signConsent(handle: m.handle, signature: sig, textVersion: version, consent: ids.consent,
                                              sealer: app.sealer)
            }
        } catch {
            ui.show((error as? UserError)?.message ?? "Ward could not encrypt this value. Nothing was saved.", kind: .error)
            return
        }
        saving = true
        app.backend.run(request, for: self, busy: "Saving") { [weak self] result in
            guard let self else { return }
            saving = false
            switch result {
            case .success(let charted):
                ui.pop(until: { $0 is PatientSearchScreen || $0 is MenuScreen })
                ui.push(PatientRecordScreen(app: app, patient: charted.patientID))
                ui.show("Consent signed: the profile is shared with this clinic, chart \(charted.chartNo).", kind: .success)
            case .failure(let e) where e.field == "signature":
                signatureError = e.message
            case .failure(let e):
                if onFieldError?(e) == true, ui.top === self { ui.pop() }
            }
        }
    }

    /// Who is signing, as this clinic may know them before the consent.
    var who: String {
        switch purpose {
        case .register(let p)?:
            return "\(p.familyName), \(p.givenName), born \(app.dateOrder.format(p.dateOfBirth))"
        case .portable(let m)?:
            return "\(m.maskedName), born \(m.birthYear), registered at another clinic"
        case nil:
            return ""
        }
    }

    func draw(_ canvas: Canvas, ui: UI) {
        canvas.put("Profile-sharing consent", row: 1, col: 2, style: .title)
        canvas.put("For \(who)", row: 2, col: 2, width: canvas.cols - 4, style: .normal)
        canvas.put("Turn the screen to the patient: they read the text and type their full name.",
                   row: 3, col: 2, width: canvas.cols - 4, style: .muted)
        var row = 5
        if let text {
            for l in TextWidth.wrap(text.body, to: canvas.cols - 8).prefix(max(0, canvas.rows - 11)) {
                canvas.put(l, row: row, col: 4, style: .dialog)
                row += 1
            }
            canvas.put("Consent text \(text.version)", row: row, col: 4, style: .muted)
        } else {
            canvas.put("Loading the consent text…", row: row, col: 4, style: .muted)
        }
        row += 2
        canvas.put("Signature", row: row, col: 2, style: .label)
        signature.draw(canvas, row: row, col: 13, width: min(50, canvas.cols - 15), focused: !saving)
        if let e = signatureError {
            canvas.put(e, row: row + 1, col: 13, width: canvas.cols - 15, style: .error)
        }
    }
}

extension UI {
    /// Pops screens until `stop` says the top one is where to stay (or one is left).
    func pop(until stop: (Screen) -> Bool) {
        while stack.count > 1, let t = top, !stop(t) { pop() }
    }
}
