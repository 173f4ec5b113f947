/// Recognises person names: whole values (a name column) and names inside free text.
public enum NamePatterns {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// How a whole value looks as a name: `shape` is true for one to four alphabetic words (apostrophes,
    /// hyphens and initials allowed, no digits); `listed` counts words found in ``NameLists``.
    public static func assess(_ b: UnsafeBufferPointer<UInt8>) -> (shape: Bool, words: Int, listed: Int) {
        var words = 0, listed = 0, i = 0
        var sawComma = false
        while i < b.count {
            while i < b.count, b[i] == 32 || (b[i] == 44 && !sawComma) { if b[i] == 44 { sawComma = true }; i += 1 }
            guard i < b.count else { break }
            let s = i
            while i < b.count, ValuePatterns.isAlpha(b[i]) || b[i] == 39 || b[i] == 45 || b[i] >= 0x80 { i += 1 }
            if i < b.count, b[i] == 46, i - s <= 3 { i += 1 }                // an initial or a suffix: "J.", "Jr."
            guard i > s, i == b.count || b[i] == 32 || b[i] == 44 else { return (false, 0, 0) }
            words += 1
            if words > 4 { return (false, 0, 0) }
            if NameLists.anyNameWords.contains(b, s, i) { listed += 1 }
        }
        return (words >= 1, words, listed)
    }

    /// Words after which a capitalised word is a person's name in clinical notes.
    static let contextWords: Set<String> = ["patient", "pt", "named", "name", "son", "daughter", "wife", "husband", "mother",
        "father", "sister", "brother", "spouse", "partner", "guardian", "contact", "caregiver",
        "nurse", "dr", "doctor", "provider", "physician", "attending", "surgeon", "resident", "pcp"]

    static let contextWordSet = WordSet(contextWords)

    static func previousWordIsContext(_ b: Bytes, _ i: Int) -> Bool {
        var e = i
        while e > 0, b[e - 1] == 32 || b[e - 1] == 58 { e -= 1 }
        guard e < i else { return false }
        var s = e
        while s > 0, ValuePatterns.isAlpha(b[s - 1]) { s -= 1 }
        guard s < e else { return false }
        return contextWordSet.contains(b, s, e)
    }

    static let titles = ["mr.", "mrs.", "ms.", "miss", "mx.", "dr.", "mr", "mrs", "ms", "dr"]

    /// A name inside free text at `i`: a title followed by one or two capitalised words ("Dr. Alice
    /// Kim", "Mrs Patel"), or a listed given name followed by a capitalised word that is a listed
    /// surname or not a common word ("Maria Gonzalez"). Returns the span's end.
    static func matchInText(_ b: Bytes, _ i: Int) -> Int? {
        guard i < b.count, ValuePatterns.isUpper(b[i]) else { return nil }
        /// A capitalised word at `s`: its end and its start (for WordSet lookups).
        func word(_ s: Int) -> (Int, Int)? {
            var j = s
            guard j < b.count, ValuePatterns.isUpper(b[j]) else { return nil }
            while j < b.count, ValuePatterns.isAlpha(b[j]) || b[j] == 39 || (b[j] == 45 && j + 1 < b.count && ValuePatterns.isUpper(b[j + 1])) { j += 1 }
            guard j - s >= 2, ValuePatterns.boundaryAfter(b, j) else { return nil }
            return (j, s)
        }
        func not(_ w: (Int, Int)) -> Bool { NameLists.notSurnamesWords.contains(b, w.1, w.0) }
        func given(_ w: (Int, Int)) -> Bool { NameLists.givenWords.contains(b, w.1, w.0) }
        func family(_ w: (Int, Int)) -> Bool { NameLists.familyWords.contains(b, w.1, w.0) }
        // Title + name (titles start with M or D)
        for t in titles where b[i] | 0x20 == 109 || b[i] | 0x20 == 100 {
            if var j = ValuePatterns.lit(b, i, t), j < b.count, b[j] == 32 {
                j += 1
                guard let w1 = word(j), !not(w1) else { return nil }
                if w1.0 + 1 < b.count, b[w1.0] == 32, let w2 = word(w1.0 + 1), !not(w2) { return w2.0 }
                return w1.0
            }
        }
        guard let w1 = word(i), !not(w1) else { return nil }
        let e1 = w1.0
        // "Lopez, Jennifer": a listed surname, a comma, a listed given name
        if family(w1), e1 + 2 < b.count, b[e1] == 44, b[e1 + 1] == 32, let w2 = word(e1 + 2), given(w2), !not(w2) { return w2.0 }
        // all-capital short words are abbreviations in notes (ED, ICU, PCP, PO), not names
        let abbreviation = w1.0 - w1.1 <= 4 && !(w1.1..<w1.0).contains { ValuePatterns.isLower(b[$0]) }
        if !given(w1), !abbreviation, previousWordIsContext(b, i) {
            // "patient Zelda Quackenbush", "son Caspian": capitalised words after a word that introduces a person
            if e1 + 1 < b.count, b[e1] == 32, let w2 = word(e1 + 1), !not(w2) { return w2.0 }
            return e1
        }
        if !given(w1) {
            // an unlisted first word counts when a listed surname follows ("Zelda Compton")
            guard e1 + 1 < b.count, b[e1] == 32, let w2 = word(e1 + 1), family(w2), !not(w2) else { return nil }
            return w2.0
        }
        var j = e1
        if j + 3 < b.count, b[j] == 32, ValuePatterns.isUpper(b[j + 1]), b[j + 2] == 46, b[j + 3] == 32 { j += 3 }   // middle initial
        guard j + 1 < b.count, b[j] == 32, let w2 = word(j + 1) else { return nil }
        guard !not(w2) else { return nil }
        return family(w2) || !given(w2) ? w2.0 : nil
    }
}
