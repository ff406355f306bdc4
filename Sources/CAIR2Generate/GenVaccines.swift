// Vaccine products with CPT, CVX, vaccine group, trade name and MVX manufacturer
// taken together from the CDC tables (cpt_to_cvx, tradename_cvx_mvx; GenerateTests
// checks every pair against /work/shared/data/cdc when it is present), with the
// dates a product was in use, and the childhood and adult schedules that decide
// which doses a member of a given age has.

/// How a vaccine is given.
package enum VaccineRoute: UInt8 { case im, sc, po, nasal }

package struct VaccineProduct {
    package let cpt: String
    package let cvx: String
    /// CAIR2's own vaccine group label (not CDC's group name).
    package let group: String
    /// A trade name of at most 24 characters (the field's width).
    package let trade: String
    package let mvx: String
    package let route: VaccineRoute
    /// First and last day (inclusive, YYYY-MM-DD) the product appears in records.
    package let from: String
    package let until: String
}

/// The schedule's antigens; each maps to the products used for it over time.
package enum Antigen: Int, CaseIterable {
    case hepBPed, dtap, hib, ipv, pcvPed, rota, mmr, varicella, hepAPed, fluPed, fluAdult, fluSenior
    case dtapIPV, tdap, td, hpv, menACWY, menB, covid, covidChild, zoster, ppsv23, pcvAdult, rsvAdult, rsvInfant
    case hepBAdult, hepAAdult, pentacel, pediarix, vaxelis, mmrv
}

package enum GenVaccines {
    package static let products: [(Antigen, VaccineProduct)] = [
        (.hepBPed, .init(cpt: "90744", cvx: "08", group: "HEPB", trade: "Engerix-B Peds", mvx: "SKB", route: .im, from: "1996-01-01", until: "2099-12-31")),
        (.hepBPed, .init(cpt: "90744", cvx: "08", group: "HEPB", trade: "Recombivax HB", mvx: "MSD", route: .im, from: "1996-01-01", until: "2099-12-31")),
        (.dtap, .init(cpt: "90700", cvx: "20", group: "DTAP", trade: "Infanrix", mvx: "SKB", route: .im, from: "1997-01-01", until: "2099-12-31")),
        (.dtap, .init(cpt: "90700", cvx: "106", group: "DTAP", trade: "Daptacel", mvx: "PMC", route: .im, from: "2002-06-01", until: "2099-12-31")),
        (.pentacel, .init(cpt: "90698", cvx: "120", group: "DTAP", trade: "Pentacel", mvx: "PMC", route: .im, from: "2008-07-01", until: "2099-12-31")),
        (.pediarix, .init(cpt: "90723", cvx: "110", group: "DTAP", trade: "Pediarix", mvx: "SKB", route: .im, from: "2003-01-01", until: "2099-12-31")),
        (.vaxelis, .init(cpt: "90697", cvx: "146", group: "DTAP", trade: "Vaxelis", mvx: "MSP", route: .im, from: "2021-06-01", until: "2099-12-31")),
        (.dtapIPV, .init(cpt: "90696", cvx: "130", group: "DTAP", trade: "Kinrix", mvx: "SKB", route: .im, from: "2008-07-01", until: "2099-12-31")),
        (.dtapIPV, .init(cpt: "90696", cvx: "130", group: "DTAP", trade: "Quadracel", mvx: "PMC", route: .im, from: "2015-04-01", until: "2099-12-31")),
        (.hib, .init(cpt: "90648", cvx: "48", group: "HIB", trade: "ActHIB", mvx: "PMC", route: .im, from: "1996-01-01", until: "2099-12-31")),
        (.hib, .init(cpt: "90648", cvx: "48", group: "HIB", trade: "Hiberix", mvx: "SKB", route: .im, from: "2009-09-01", until: "2099-12-31")),
        (.hib, .init(cpt: "90647", cvx: "49", group: "HIB", trade: "PedvaxHIB", mvx: "MSD", route: .im, from: "1996-01-01", until: "2099-12-31")),
        (.ipv, .init(cpt: "90713", cvx: "10", group: "POLIO", trade: "IPOL", mvx: "PMC", route: .im, from: "1996-01-01", until: "2099-12-31")),
        (.pcvPed, .init(cpt: "90669", cvx: "100", group: "PNEUMOCONJUGATE", trade: "Prevnar 7", mvx: "WAL", route: .im, from: "2000-03-01", until: "2010-02-28")),
        (.pcvPed, .init(cpt: "90670", cvx: "133", group: "PNEUMOCONJUGATE", trade: "Prevnar 13", mvx: "PFR", route: .im, from: "2010-03-01", until: "2023-06-30")),
        (.pcvPed, .init(cpt: "90671", cvx: "215", group: "PNEUMOCONJUGATE", trade: "Vaxneuvance", mvx: "MSD", route: .im, from: "2022-07-01", until: "2099-12-31")),
        (.pcvPed, .init(cpt: "90677", cvx: "216", group: "PNEUMOCONJUGATE", trade: "Prevnar 20", mvx: "PFR", route: .im, from: "2023-05-01", until: "2099-12-31")),
        (.rota, .init(cpt: "90680", cvx: "116", group: "ROTAVIRUS", trade: "RotaTeq", mvx: "MSD", route: .po, from: "2006-03-01", until: "2099-12-31")),
        (.rota, .init(cpt: "90681", cvx: "119", group: "ROTAVIRUS", trade: "Rotarix", mvx: "SKB", route: .po, from: "2008-05-01", until: "2099-12-31")),
        (.mmr, .init(cpt: "90707", cvx: "03", group: "MMR", trade: "M-M-R II", mvx: "MSD", route: .sc, from: "1996-01-01", until: "2099-12-31")),
        (.mmr, .init(cpt: "90707", cvx: "03", group: "MMR", trade: "Priorix", mvx: "SKB", route: .sc, from: "2022-07-01", until: "2099-12-31")),
        (.mmrv, .init(cpt: "90710", cvx: "94", group: "MMR", trade: "ProQuad", mvx: "MSD", route: .sc, from: "2005-10-01", until: "2099-12-31")),
        (.varicella, .init(cpt: "90716", cvx: "21", group: "VARICELLA", trade: "Varivax", mvx: "MSD", route: .sc, from: "1996-01-01", until: "2099-12-31")),
        (.hepAPed, .init(cpt: "90633", cvx: "83", group: "HEPA", trade: "Havrix", mvx: "SKB", route: .im, from: "2000-01-01", until: "2099-12-31")),
        (.hepAPed, .init(cpt: "90633", cvx: "83", group: "HEPA", trade: "Vaqta", mvx: "MSD", route: .im, from: "2000-01-01", until: "2099-12-31")),
        (.fluPed, .init(cpt: "90656", cvx: "140", group: "FLU", trade: "Fluzone", mvx: "PMC", route: .im, from: "2000-01-01", until: "2013-07-31")),
        (.fluPed, .init(cpt: "90685", cvx: "161", group: "FLU", trade: "Fluzone Quadrivalent", mvx: "PMC", route: .im, from: "2013-08-01", until: "2019-07-31")),
        (.fluPed, .init(cpt: "90686", cvx: "150", group: "FLU", trade: "Fluarix Quadrivalent", mvx: "SKB", route: .im, from: "2013-08-01", until: "2024-07-31")),
        (.fluPed, .init(cpt: "90686", cvx: "150", group: "FLU", trade: "Flulaval Quadrivalent", mvx: "IDB", route: .im, from: "2013-08-01", until: "2024-07-31")),
        (.fluPed, .init(cpt: "90672", cvx: "149", group: "FLU", trade: "FluMist Quadrivalent", mvx: "MED", route: .nasal, from: "2018-08-01", until: "2024-07-31")),
        (.fluPed, .init(cpt: "90656", cvx: "140", group: "FLU", trade: "Fluarix", mvx: "SKB", route: .im, from: "2024-08-01", until: "2099-12-31")),
        (.fluPed, .init(cpt: "90660", cvx: "111", group: "FLU", trade: "FluMist", mvx: "MED", route: .nasal, from: "2024-08-01", until: "2099-12-31")),
        (.fluAdult, .init(cpt: "90656", cvx: "140", group: "FLU", trade: "Fluzone", mvx: "PMC", route: .im, from: "2000-01-01", until: "2013-07-31")),
        (.fluAdult, .init(cpt: "90686", cvx: "150", group: "FLU", trade: "Fluzone Quadrivalent", mvx: "PMC", route: .im, from: "2013-08-01", until: "2024-07-31")),
        (.fluAdult, .init(cpt: "90686", cvx: "150", group: "FLU", trade: "Afluria Quadrivalent", mvx: "SEQ", route: .im, from: "2013-08-01", until: "2024-07-31")),
        (.fluAdult, .init(cpt: "90682", cvx: "185", group: "FLU", trade: "Flublok Quadrivalent", mvx: "PSC", route: .im, from: "2017-08-01", until: "2024-07-31")),
        (.fluAdult, .init(cpt: "90656", cvx: "140", group: "FLU", trade: "Afluria", mvx: "SEQ", route: .im, from: "2024-08-01", until: "2099-12-31")),
        (.fluAdult, .init(cpt: "90656", cvx: "140", group: "FLU", trade: "Fluzone", mvx: "PMC", route: .im, from: "2024-08-01", until: "2099-12-31")),
        (.fluSenior, .init(cpt: "90662", cvx: "135", group: "FLU", trade: "Fluzone High-Dose", mvx: "PMC", route: .im, from: "2010-01-01", until: "2020-07-31")),
        (.fluSenior, .init(cpt: "90662", cvx: "197", group: "FLU", trade: "Fluzone High-Dose", mvx: "PMC", route: .im, from: "2020-08-01", until: "2024-07-31")),
        (.fluSenior, .init(cpt: "90694", cvx: "205", group: "FLU", trade: "Fluad Quadrivalent", mvx: "SEQ", route: .im, from: "2020-08-01", until: "2024-07-31")),
        (.fluSenior, .init(cpt: "90662", cvx: "135", group: "FLU", trade: "Fluzone High-Dose", mvx: "PMC", route: .im, from: "2024-08-01", until: "2099-12-31")),
        (.fluSenior, .init(cpt: "90653", cvx: "168", group: "FLU", trade: "Fluad", mvx: "SEQ", route: .im, from: "2024-08-01", until: "2099-12-31")),
        (.tdap, .init(cpt: "90715", cvx: "115", group: "TDAP", trade: "Boostrix", mvx: "SKB", route: .im, from: "2005-06-01", until: "2099-12-31")),
        (.tdap, .init(cpt: "90715", cvx: "115", group: "TDAP", trade: "Adacel", mvx: "PMC", route: .im, from: "2005-06-01", until: "2099-12-31")),
        (.td, .init(cpt: "90714", cvx: "113", group: "TD", trade: "Tenivac", mvx: "PMC", route: .im, from: "2004-01-01", until: "2099-12-31")),
        (.td, .init(cpt: "90714", cvx: "09", group: "TD", trade: "TdVax", mvx: "MBL", route: .im, from: "2018-01-01", until: "2099-12-31")),
        (.hpv, .init(cpt: "90649", cvx: "62", group: "HPV", trade: "Gardasil", mvx: "MSD", route: .im, from: "2006-07-01", until: "2016-12-31")),
        (.hpv, .init(cpt: "90651", cvx: "165", group: "HPV", trade: "Gardasil 9", mvx: "MSD", route: .im, from: "2015-01-01", until: "2099-12-31")),
        (.menACWY, .init(cpt: "90734", cvx: "114", group: "MENING", trade: "Menactra", mvx: "PMC", route: .im, from: "2005-02-01", until: "2022-06-30")),
        (.menACWY, .init(cpt: "90734", cvx: "136", group: "MENING", trade: "Menveo", mvx: "SKB", route: .im, from: "2015-01-01", until: "2099-12-31")),
        (.menACWY, .init(cpt: "90619", cvx: "203", group: "MENING", trade: "MenQuadfi", mvx: "PMC", route: .im, from: "2020-05-01", until: "2099-12-31")),
        (.menB, .init(cpt: "90620", cvx: "163", group: "MENINGB", trade: "Bexsero", mvx: "SKB", route: .im, from: "2015-02-01", until: "2099-12-31")),
        (.menB, .init(cpt: "90621", cvx: "162", group: "MENINGB", trade: "Trumenba", mvx: "PFR", route: .im, from: "2014-11-01", until: "2099-12-31")),
        (.covid, .init(cpt: "91300", cvx: "208", group: "COVID-19", trade: "Comirnaty", mvx: "PFR", route: .im, from: "2020-12-15", until: "2023-08-31")),
        (.covid, .init(cpt: "91301", cvx: "207", group: "COVID-19", trade: "Spikevax", mvx: "MOD", route: .im, from: "2020-12-21", until: "2023-08-31")),
        (.covid, .init(cpt: "91320", cvx: "309", group: "COVID-19", trade: "Comirnaty", mvx: "PFR", route: .im, from: "2023-09-12", until: "2099-12-31")),
        (.covid, .init(cpt: "91322", cvx: "312", group: "COVID-19", trade: "Spikevax", mvx: "MOD", route: .im, from: "2023-09-12", until: "2099-12-31")),
        (.covidChild, .init(cpt: "91319", cvx: "310", group: "COVID-19", trade: "Comirnaty", mvx: "PFR", route: .im, from: "2023-09-12", until: "2099-12-31")),
        (.covidChild, .init(cpt: "91321", cvx: "311", group: "COVID-19", trade: "Spikevax", mvx: "MOD", route: .im, from: "2022-06-18", until: "2099-12-31")),
        (.zoster, .init(cpt: "90736", cvx: "121", group: "ZOSTER", trade: "Zostavax", mvx: "MSD", route: .sc, from: "2006-06-01", until: "2017-12-31")),
        (.zoster, .init(cpt: "90750", cvx: "187", group: "ZOSTER", trade: "Shingrix", mvx: "SKB", route: .im, from: "2018-01-01", until: "2099-12-31")),
        (.ppsv23, .init(cpt: "90732", cvx: "33", group: "PNEUMOPOLY", trade: "Pneumovax 23", mvx: "MSD", route: .im, from: "1996-01-01", until: "2099-12-31")),
        (.pcvAdult, .init(cpt: "90670", cvx: "133", group: "PNEUMOCONJUGATE", trade: "Prevnar 13", mvx: "PFR", route: .im, from: "2012-01-01", until: "2021-06-30")),
        (.pcvAdult, .init(cpt: "90677", cvx: "216", group: "PNEUMOCONJUGATE", trade: "Prevnar 20", mvx: "PFR", route: .im, from: "2021-07-01", until: "2099-12-31")),
        (.pcvAdult, .init(cpt: "90684", cvx: "327", group: "PNEUMOCONJUGATE", trade: "Capvaxive", mvx: "MSD", route: .im, from: "2024-07-01", until: "2099-12-31")),
        (.rsvAdult, .init(cpt: "90679", cvx: "303", group: "RSV", trade: "Arexvy", mvx: "SKB", route: .im, from: "2023-06-01", until: "2099-12-31")),
        (.rsvAdult, .init(cpt: "90678", cvx: "305", group: "RSV", trade: "Abrysvo", mvx: "PFR", route: .im, from: "2023-06-01", until: "2099-12-31")),
        (.rsvAdult, .init(cpt: "90683", cvx: "326", group: "RSV", trade: "mResvia", mvx: "MOD", route: .im, from: "2024-06-01", until: "2099-12-31")),
        (.rsvInfant, .init(cpt: "90380", cvx: "306", group: "RSV", trade: "Beyfortus", mvx: "PMC", route: .im, from: "2023-10-01", until: "2099-12-31")),
        (.hepBAdult, .init(cpt: "90746", cvx: "43", group: "HEPB", trade: "Engerix-B", mvx: "SKB", route: .im, from: "1996-01-01", until: "2099-12-31")),
        (.hepBAdult, .init(cpt: "90739", cvx: "189", group: "HEPB", trade: "Heplisav-B", mvx: "DVX", route: .im, from: "2018-01-01", until: "2099-12-31")),
        (.hepAAdult, .init(cpt: "90632", cvx: "52", group: "HEPA", trade: "Havrix", mvx: "SKB", route: .im, from: "1996-01-01", until: "2099-12-31")),
        (.hepAAdult, .init(cpt: "90632", cvx: "52", group: "HEPA", trade: "Vaqta", mvx: "MSD", route: .im, from: "1996-01-01", until: "2099-12-31")),
    ]

    /// Trade names longer than the 24-character field, as plans send them (planted W_TRUNCATED).
    static let longTradeNames = "Fluzone High-Dose Quadrivalent|Flucelvax Quadrivalent Preservative Free|Afluria Quadrivalent Pediatric|Pfizer-BioNTech COVID-19 Vaccine|Moderna COVID-19 Vaccine 2024-2025"

    /// Clinics and pharmacies of California (free text; `#` and `'` are kept by the address rules).
    static let providers = "Kaiser Permanente|AltaMed Health Services|La Clínica de la Raza|Asian Health Services|Family Health Centers of San Diego|Valley Children's Medical Group|San Ysidro Health|Clínica Sierra Vista|Northeast Valley Health Corporation|Sutter Health|UCSF Benioff Children's Hospital|CVS Pharmacy #9412|Walgreens #3319|Rite Aid #5624|Los Angeles County DPH|Santa Clara Valley Medical Center|Golden Valley Health Centers|Open Door Community Health Centers|Neighborhood Healthcare|Borrego Health|St. John's Community Health|South Central Family Health Center|Harbor-UCLA Medical Center|Petaluma Health Center"

    /// Provider names with a comma (the CSV must quote them).
    static let providersWithComma = "Asian Health Services, Oakland|La Clínica de la Raza, Fruitvale|Kaiser Permanente, Downey Medical Center|Clínica Sierra Vista, Bakersfield|AltaMed, East Los Angeles"

    static let credentials = "RN|LVN|MA|PA-C|NP|MD|PharmD"
}
