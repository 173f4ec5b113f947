/// The 18 categories of identifiers that HIPAA's Safe Harbor method (45 CFR §164.514(b)(2)(i), items
/// (A)–(R)) requires removing before health data counts as de-identified.
public enum PHICategory: String, CaseIterable, Codable, Sendable, Comparable {
    case name
    case geography
    case date
    case phone
    case fax
    case email
    case ssn
    case medicalRecord = "medical-record"
    case healthPlan = "health-plan"
    case account
    case license
    case vehicle
    case device
    case url
    case ip
    case biometric
    case photo
    case otherID = "other-id"

    /// The item letter in §164.514(b)(2)(i).
    public var letter: Character { Array("ABCDEFGHIJKLMNOPQR")[PHICategory.allCases.firstIndex(of: self)!] }

    public var title: String {
        switch self {
        case .name: return "Names"
        case .geography: return "Geographic subdivisions smaller than a state (street, city, county, ZIP)"
        case .date: return "Dates related to a person (except year) and ages over 89"
        case .phone: return "Telephone numbers"
        case .fax: return "Fax numbers"
        case .email: return "Email addresses"
        case .ssn: return "Social Security numbers"
        case .medicalRecord: return "Medical record numbers"
        case .healthPlan: return "Health plan beneficiary numbers"
        case .account: return "Account numbers"
        case .license: return "Certificate and licence numbers"
        case .vehicle: return "Vehicle identifiers and serial numbers, including licence plates"
        case .device: return "Device identifiers and serial numbers"
        case .url: return "Web URLs"
        case .ip: return "IP addresses"
        case .biometric: return "Biometric identifiers (finger and voice prints)"
        case .photo: return "Full-face photographs and comparable images"
        case .otherID: return "Any other unique identifying number, characteristic or code"
        }
    }

    public static func < (a: PHICategory, b: PHICategory) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A finer kind of identifier than the Safe Harbor category: it decides how a value is recognised and
/// how `deid` transforms it (a ZIP code and a street address are both "geography" but are treated
/// differently).
public enum PHIKind: String, CaseIterable, Codable, Sendable {
    case personName = "person-name"
    case streetAddress = "street-address"
    case city
    case zip
    case date
    case dayNumber = "day-number"
    case age
    case phone
    case fax
    case email
    case ssn
    case medicalRecord = "medical-record"
    case healthPlan = "health-plan"
    case account
    case license
    case vehicle
    case device
    case url
    case ip
    case biometric
    case photo
    case otherID = "other-id"

    public var category: PHICategory {
        switch self {
        case .personName: return .name
        case .streetAddress, .city, .zip: return .geography
        case .date, .dayNumber, .age: return .date
        case .phone: return .phone
        case .fax: return .fax
        case .email: return .email
        case .ssn: return .ssn
        case .medicalRecord: return .medicalRecord
        case .healthPlan: return .healthPlan
        case .account: return .account
        case .license: return .license
        case .vehicle: return .vehicle
        case .device: return .device
        case .url: return .url
        case .ip: return .ip
        case .biometric: return .biometric
        case .photo: return .photo
        case .otherID: return .otherID
        }
    }
}
