// Name frequencies of California's population, by origin, as "|"-separated lists
// ordered roughly from most to least common (GenRandom.skewed picks from the front
// more often). Spellings keep the accents, hyphens and apostrophes real names
// carry; every character folds to A-Z under PRODUCT.md §3, so a clean name never
// draws a warning. Weights are shares of the state's population (Census 2020, rounded).

struct NameOrigin {
    let key: String
    let weight: Double
    let surnames: String
    let male: String
    let female: String
    /// Race flag set for members of this origin (index into GenTables.raceColumns), or -1.
    let race: Int
    let hispanic: Bool
    /// Vietnamese and Filipino middle names follow their own conventions.
    let middleMale: String?
    let middleFemale: String?
}

enum GenNames {
    // race flag indexes: 0 american indian, 1 asian, 2 pacific islander, 3 black, 4 white, 5 other
    static let origins: [NameOrigin] = [
        NameOrigin(key: "hispanic", weight: 39.4,
            surnames: "García|Hernández|López|Martínez|González|Rodríguez|Pérez|Sánchez|Ramírez|Flores|Torres|Rivera|Gómez|Díaz|Reyes|Cruz|Morales|Gutiérrez|Ortiz|Chávez|Ramos|Ruiz|Castillo|Jiménez|Vásquez|Romero|Mendoza|Moreno|Álvarez|Herrera|Medina|Aguilar|Vargas|Guzmán|Muñoz|Salazar|Contreras|Delgado|Estrada|Navarro|Ibarra|Zúñiga|Ochoa|Peña|Cervantes|De la Cruz|De León|Villaseñor|Magaña|Orozco|Quintero|Solís|Cárdenas|Avilés|Núñez|Domínguez|Rosales|Valenzuela|Espinoza|Sandoval|Montoya|Fuentes|Cabrera|Acosta|Mejía|Beltrán|Arellano|Bañuelos|Urías|Rodarte",
            male: "José|Juan|Luis|Carlos|Jesús|Miguel|Jorge|Antonio|Francisco|Alejandro|Manuel|Ricardo|Fernando|Javier|Roberto|Eduardo|Daniel|Ángel|Diego|Mateo|Santiago|Sebastián|Emiliano|Julián|Adrián|Andrés|Iván|Raúl|Óscar|Rubén|Luis Miguel|José Luis|Juan Carlos|Héctor|Sergio|Armando|Joaquín|Leonardo|Gael|Zacarías",
            female: "María|Guadalupe|Ana|Rosa|Juana|Carmen|Sofía|Valentina|Camila|Isabella|Ximena|Daniela|Mariana|Gabriela|Fernanda|Verónica|Leticia|Patricia|Alejandra|Yesenia|Araceli|Lucía|Natalia|Andrea|Elena|Beatriz|Mónica|Dulce María|María José|Ana María|Itzel|Jimena|Renata|Graciela|Maribel|Lourdes|Yolanda|Esperanza|Socorro|Inés",
            race: 5, hispanic: true, middleMale: nil, middleFemale: nil),
        NameOrigin(key: "anglo", weight: 31.0,
            surnames: "Smith|Johnson|Williams|Brown|Jones|Miller|Davis|Wilson|Anderson|Taylor|Thomas|Moore|Martin|Thompson|White|Harris|Clark|Lewis|Robinson|Walker|Young|Allen|Wright|Scott|Hill|Green|Adams|Baker|Nelson|Campbell|Mitchell|Roberts|Carter|Phillips|Evans|Turner|Parker|Collins|Edwards|Stewart|Murphy|Cook|Rogers|Morgan|Cooper|Peterson|Bailey|Reed|Kelly|Howard|O'Brien|O'Connor|O'Neil|McDonald|MacKenzie|D'Angelo|Sullivan|Russo|Schmidt|Müller|Larsen|Bergström|Dubois|Lefèvre|Rossi|Bianchi|Kowalski|Novák|St. John|Fitzgerald|Van der Berg|Olsen|Schröder",
            male: "James|John|Robert|Michael|William|David|Richard|Joseph|Thomas|Christopher|Daniel|Matthew|Anthony|Andrew|Joshua|Ryan|Tyler|Brandon|Ethan|Liam|Noah|Oliver|Henry|Jack|Lucas|Benjamin|Samuel|Nathan|Logan|Connor|Sean|Patrick|Kevin|Brian|Steven|Gary|Eric|Zoltán|Søren|François",
            female: "Mary|Patricia|Jennifer|Linda|Elizabeth|Barbara|Susan|Jessica|Sarah|Karen|Emily|Ashley|Amanda|Olivia|Emma|Ava|Mia|Harper|Charlotte|Amelia|Abigail|Madison|Hannah|Megan|Lauren|Rachel|Nicole|Stephanie|Heather|Kimberly|Michelle|Chloé|Renée|Zoë|Noël|Anne-Marie|Mary-Kate|Brontë|Léa|Margaret",
            race: 4, hispanic: false, middleMale: nil, middleFemale: nil),
        NameOrigin(key: "black", weight: 5.4,
            surnames: "Johnson|Williams|Jackson|Washington|Brown|Jones|Davis|Harris|Robinson|Thomas|Jefferson|Banks|Booker|Freeman|Coleman|Hayes|Bryant|Gaines|Grant|Mosley|Dixon|Wallace|Simmons|Holloway|Okafor|Mensah|Tesfaye|Abebe",
            male: "Jamal|Malik|DeShawn|Darnell|Marcus|Andre|Terrell|Jalen|Isaiah|Elijah|Jayden|Xavier|Tyrone|Cedric|Darius|Kwame|Dante|Jerome|Andre'|Curtis",
            female: "Aaliyah|Imani|Keisha|Ebony|Destiny|Jasmine|Aliyah|Tamika|Latoya|Nia|Kiara|Shanice|Jada|Zuri|Amara|Monique|Brianna|Tiana|Dominique|Ayana",
            race: 3, hispanic: false, middleMale: nil, middleFemale: nil),
        NameOrigin(key: "chinese", weight: 4.6,
            surnames: "Wang|Li|Zhang|Liu|Chen|Yang|Huang|Zhao|Wu|Zhou|Lin|Chan|Wong|Lee|Leung|Cheung|Ng|Lam|Ho|Tang|Yu|Ma|Xu|Sun|Fong|Kwan|Louie|Yee|Chu|Tsai",
            male: "Wei|Jun|Hao|Ming|Jian|Kevin|Jason|David|Michael|Tao|Yong|Jie|Zhi Hao|Eric|Andy|Kai|Yi|Bo|Chen|Kenneth",
            female: "Mei|Li|Xiu Ying|Fang|Ying|Jing|Hui|Yan|Amy|Grace|Jennifer|Xin Yi|Lily|Vivian|Jenny|Ling|Qing|Ruo Xi|Yu Tong|Helen",
            race: 1, hispanic: false, middleMale: nil, middleFemale: nil),
        NameOrigin(key: "filipino", weight: 4.2,
            surnames: "Santos|Reyes|Cruz|Bautista|Ocampo|García|Mendoza|Torres|Tolentino|Villanueva|Dela Cruz|De Guzman|Aquino|Castillo|Ramos|Manalo|Pascual|Santiago|Soriano|Macaraeg|Dizon|Magbanua|Lacson|Mercado|Panganiban|Buenaventura|Dimaculangan|Catapang",
            male: "Jose|Mark|John Paul|Rommel|Jerome|Christian|Angelo|Romeo|Ferdinand|Jun|Renato|Jericho|Rodel|Arnel|Emmanuel|Jomar|Ramon|Noel|Efren|Dante",
            female: "Maria|Marilou|Maricel|Rowena|Jocelyn|Lourdes|Cristina|Rosario|Analyn|Janelle|Kristine|Mary Grace|Ma. Theresa|Marivic|Rhea|Jasmin|Liza|Imelda|Perla|Charmaine",
            race: 1, hispanic: false, middleMale: "Manalo|Reyes|Santos|Cruz|Bautista|Garcia|Lim|Tan", middleFemale: "Manalo|Reyes|Santos|Cruz|Bautista|Garcia|Lim|Tan"),
        NameOrigin(key: "vietnamese", weight: 2.3,
            surnames: "Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Nguyen|Tran|Le|Pham",
            male: "Minh|Anh|Tuấn|Hùng|Dũng|Long|Huy|Khoa|Phúc|Bảo|Quang|Thành|Đức|Việt|Tâm|Nam|Hiếu|Trí|Khang|Thiện",
            female: "Linh|Hương|Lan|Mai|Ngọc Ánh|Thảo|Trang|Hạnh|Phương|Thủy|Yến|Vy|Nhi|Hà|Hằng|Tuyết|Diễm|Loan|Uyên|Như",
            race: 1, hispanic: false, middleMale: "Văn|Minh|Quốc|Đức|Hữu|Thanh", middleFemale: "Thị|Ngọc|Thanh|Kim|Thu|Mỹ"),
        NameOrigin(key: "korean", weight: 1.4,
            surnames: "Kim|Lee|Park|Choi|Jung|Kang|Cho|Yoon|Jang|Lim|Han|Oh|Seo|Shin|Kwon|Hwang|Ahn|Song|Yoo|Hong",
            male: "Min-jun|Ji-hoon|Seo-jun|Hyun-woo|Sung-min|Joon-ho|Daniel|David|Young-soo|Dong-hyun|Jae-won|Sang-hoon|Paul|Joseph|Tae-yang",
            female: "Ji-yeon|Seo-yeon|Min-ji|Soo-jin|Eun-ji|Hye-jin|Grace|Sarah|Ji-woo|Ha-eun|Yoon-seo|Eun-young|Esther|Hannah|Su-bin",
            race: 1, hispanic: false, middleMale: nil, middleFemale: nil),
        NameOrigin(key: "armenian", weight: 1.1,
            surnames: "Petrosyan|Hakobyan|Harutyunyan|Sargsyan|Grigoryan|Khachatryan|Karapetyan|Gevorgyan|Avetisyan|Ghazaryan|Martirosyan|Manukyan|Kazarian|Der-Bedrossian|Boghossian|Ter-Petrosyan|Mkrtchyan|Kardashian|Hovsepian|Simonian",
            male: "Aram|Armen|Arman|Hayk|Tigran|Vahe|Gor|Narek|Davit|Sarkis|Levon|Garo|Ara|Hagop|Raffi",
            female: "Anahit|Ani|Lilit|Nare|Mariam|Arpi|Siranush|Taguhi|Gayane|Lusine|Nairi|Talin|Sona|Arev|Karine",
            race: 4, hispanic: false, middleMale: nil, middleFemale: nil),
        NameOrigin(key: "southasian", weight: 2.4,
            surnames: "Patel|Singh|Kaur|Shah|Kumar|Sharma|Gupta|Reddy|Rao|Desai|Mehta|Iyer|Chopra|Malhotra|Bhatt|Sandhu|Gill|Dhillon",
            male: "Arjun|Rahul|Vikram|Sanjay|Amit|Raj|Rohan|Aarav|Vivaan|Harpreet|Gurpreet|Nikhil|Karan|Aditya|Manpreet",
            female: "Priya|Anjali|Neha|Pooja|Kavya|Sunita|Ananya|Diya|Simran|Harleen|Deepa|Meera|Aisha|Lakshmi|Navneet",
            race: 1, hispanic: false, middleMale: nil, middleFemale: nil),
        NameOrigin(key: "middleeastern", weight: 1.8,
            surnames: "Hosseini|Karimi|Ahmadi|Rahimi|Haddad|Khoury|Nassar|Mansour|Farah|Saleh|Tehrani|Rostami|Sadeghi|Al-Khatib|El-Amin",
            male: "Ali|Mohammad|Omar|Reza|Dariush|Yousef|Hassan|Karim|Amir|Sami|Farid|Nader|Kian|Tariq|Bijan",
            female: "Fatima|Leila|Shirin|Nasrin|Yasmin|Mariam|Laila|Noor|Sara|Rana|Parisa|Nadia|Zahra|Dina|Soraya",
            race: 4, hispanic: false, middleMale: nil, middleFemale: nil),
        NameOrigin(key: "japanese", weight: 0.9,
            surnames: "Tanaka|Nakamura|Yamamoto|Sato|Watanabe|Kobayashi|Suzuki|Takahashi|Ito|Yamada|Inouye|Matsumoto|Shimizu|Okada|Fujimoto",
            male: "Kenji|Hiroshi|Takashi|Kenta|Yuto|Ryan|Daniel|Haruto|Kazuo|Makoto",
            female: "Yuki|Akiko|Keiko|Emi|Sakura|Naomi|Aiko|Hana|Mika|Yumi",
            race: 1, hispanic: false, middleMale: nil, middleFemale: nil),
        NameOrigin(key: "pacific", weight: 0.5,
            surnames: "Kealoha|Kahananui|Tuiasosopo|Fonoti|Leota|Taufa|Tupou|Fifita|Mahoe|Akana",
            male: "Keoni|Kai|Sione|Tevita|Makoa|Ikaika|Losa|Tavita",
            female: "Leilani|Malia|Kalani|Mele|Lani|Noelani|Sina|Ana",
            race: 2, hispanic: false, middleMale: nil, middleFemale: nil),
    ]

    /// Middle names for origins without their own convention.
    static let genericMiddleMale = "James|Michael|Lee|Alan|Joseph|Ray|Daniel|Edward|Thomas|Anthony|Antonio|Alejandro|Jesús|Eric|Wayne"
    static let genericMiddleFemale = "Marie|Ann|Lynn|Elizabeth|Rose|Nicole|Michelle|Jean|Louise|Guadalupe|Isabel|Sofía|Grace|Renée|Jane"

    /// Suffixes that name fields accept ('.' is deleted by normalization).
    static let suffixes = "Jr.|Sr.|II|III|IV|Jr"

    /// Name parts for a last name longer than the 50-character field (planted W_TRUNCATED):
    /// long compound family names, joined with hyphens and blanks.
    static let longSurnameParts = "De la Santísima Trinidad|Fernández-Montenegro|Villaseñor y Castañeda|Bustamante-Echeverría|Hohenzollern-Sigmaringen|Wolfeschlegelsteinhausen|Oppenheimer-Rothschild|Ter-Grigoryan Hovhannisyan"

    /// Unmappable or symbol-bearing spellings a real extract carries: CJK names typed in
    /// their own script, digits from OCR or data entry, placeholders.
    static let invalidNames = "王|李|김|Mar1a|J0sé|Nguyễn 2|Smith#|(none)|N/A?|O'Br!en|Jo@n|Baby 1|Ana3|★"

    /// Latin-1 bytes (é, í, ñ, ó, á) for E_ENCODING: a cp1252 export pasted into a UTF-8 file.
    static let latin1Names: [[UInt8]] = [
        [0x4A, 0x6F, 0x73, 0xE9],                         // José
        [0x4D, 0x61, 0x72, 0xED, 0x61],                   // María
        [0x4D, 0x75, 0xF1, 0x6F, 0x7A],                   // Muñoz
        [0x52, 0x61, 0x6D, 0xED, 0x72, 0x65, 0x7A],       // Ramírez
        [0x50, 0x65, 0xF1, 0x61],                         // Peña
        [0x4A, 0x65, 0x73, 0xFA, 0x73],                   // Jesús
        [0xC1, 0x6E, 0x67, 0x65, 0x6C],                   // Ángel
    ]
}
