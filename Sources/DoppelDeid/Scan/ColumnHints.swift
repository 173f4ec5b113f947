import DoppelData

/// What a column's name says about identifiers it may hold (tokens of the name, so `patientEmail`,
/// `patient_email` and `Patient Email` read alike).
public enum ColumnHints {
    static let roleWords: Set<String> = ["kin", "guarantor", "spouse", "guardian", "referring", "physician", "doctor", "surgeon",
                                         "nurse", "attending", "provider", "caregiver", "informant", "witness", "author"]

    /// A column named for a person's role (next of kin, referring physician, guarantor): it holds names
    /// only if its values look like names, which the scan checks.
    public static func namesAPersonByRole(_ name: String) -> Bool {
        let s = Set(NameHeuristics.tokens(name))
        return !s.isDisjoint(with: roleWords) && s.isDisjoint(with: ["id", "npi", "type", "count", "specialty", "visits", "number", "no"])
    }

    public static func kind(forColumn name: String) -> PHIKind? {
        let t = NameHeuristics.tokens(name)
        let s = Set(t)
        let joined = t.joined()
        func has(_ words: String...) -> Bool { words.contains { s.contains($0) || joined.contains($0) && $0.count >= 5 } }
        if has("email", "mail") { return .email }
        if has("fax") { return .fax }
        if has("phone", "telephone", "tel", "mobile", "cellphone", "pager") { return .phone }
        if has("ssn", "socialsecurity") || (s.contains("social") && s.contains("security")) { return .ssn }
        if has("url", "website", "homepage", "webpage", "link") { return .url }
        if has("ip", "ipaddress", "ipv4", "ipv6") { return .ip }
        if s.contains("vin") || s.contains("plate") || s.contains("vehicle") || joined.contains("licenseplate") || joined.contains("numberplate") { return .vehicle }
        if has("medicare", "medicaid", "beneficiary", "insurance", "insurer", "policy", "member", "subscriber", "mbi")
            || (s.contains("plan") && (s.contains("health") || s.contains("id") || s.contains("number"))) { return .healthPlan }
        if has("account", "acct", "iban", "card", "billing", "routing", "bank") { return .account }
        if has("license", "licence", "certificate", "dea", "npi", "permit", "passport") { return .license }
        if has("device", "serial", "imei", "udi", "mac", "implant", "pacemaker") { return .device }
        if has("fingerprint", "biometric", "retina", "iris", "voiceprint", "faceprint", "palmprint") { return .biometric }
        if has("photo", "photograph", "picture", "image", "headshot", "selfie", "portrait") { return .photo }
        if has("mrn", "chart") || (s.contains("medical") && s.contains("record")) || (s.contains("record") && (s.contains("number") || s.contains("no"))) { return .medicalRecord }
        if has("zip", "zipcode", "postal", "postcode") { return .zip }
        if has("address", "street", "addr") { return .streetAddress }
        if has("city", "town", "county", "municipality", "village", "neighborhood", "neighbourhood") { return .city }
        if has("dob", "birthdate", "birthday") || (s.contains("birth") && !s.contains("year") && !s.contains("weight")) { return .date }
        if s.contains("date") || s.contains("dt") || t.last == "at" || s.contains("datetime") || s.contains("timestamp") { return .date }
        if s.contains("day") { return .dayNumber }
        if t == ["age"] || t.first == "age" || t.last == "age" { return .age }
        switch NameHeuristics.classify(name) {
        case .personName: return .personName
        case .recordID:
            if s.contains("patient") || s.contains("subject") || s.contains("person") || s.contains("encounter") { return .medicalRecord }
            return .otherID
        case .contact, .other: break
        }
        if namesAPersonByRole(name) { return .personName }
        if has("name") && !has("clinic", "hospital", "drug", "medication", "test", "facility", "site", "ward", "unit", "lab", "device", "study") { return .personName }
        return nil
    }
}
